"""The ground floor of ``geo``: typed settings and paths, the disk cache and the memo, projections.

Nothing here imports another ``geo`` subpackage; every other subpackage may import it.
"""
