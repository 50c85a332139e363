"""Physics as small term functions: each returns a UFL form or expression; problems sum them.

Every form in spinfem is built in this package (and, for interfaces, in the
interface-law modules), nowhere else.
"""
