"""ipgraph — a knowledge graph of the IP information public service network (知识产权信息公共服务体系)."""

__version__ = "0.1.0"
