"""The course: labs and their metadata, notebooks, the release of labs/ and the assembly of a notebook to grade."""
