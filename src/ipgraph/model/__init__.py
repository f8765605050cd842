"""The domain: the IRIs ipgraph mints, one named graph per institution (``network``), the gazetteer
(``places``), the service catalogue and small schemes (``catalog``), the one vocabulary resolver that decides
what a word names (``resolver``, over each scheme's ``lexicon`` and the folding of ``text``) and the
specification's clauses (``spec``).
Everything here is built from rows or graphs handed in — a store reads them and passes them on — so this
package imports no other ipgraph package (only ``ipgraph.paths``), and every other package may import it.
"""
