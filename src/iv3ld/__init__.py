"""iv3ld: Iv3 returns of Dutch local government as linked data.

The package turns an Iv3 submission in the CBS JSON format into RDF (RDF Data Cube
observations on SKOS code lists), writes it as JSON-LD, Turtle or N-Quads, and checks
it against SHACL shapes that encode the CBS checks (SF, DF and PF codes).
"""

__version__ = "0.1.0"
