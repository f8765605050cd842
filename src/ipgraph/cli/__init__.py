"""The ``ipgraph`` command: thin commands over the packages below (``main`` builds the parser and runs
them), the terminal table of match results and the allocator the command starts itself with. With ``web``,
the only place that knows the terminal; may import every package, ``web`` included (``ipgraph serve``).
"""
