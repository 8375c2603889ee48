"""Web forms of the foundation. They parse and present; the services decide what is valid."""
