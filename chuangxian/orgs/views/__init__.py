"""The server-rendered web pages of the foundation, one small module per page group."""
