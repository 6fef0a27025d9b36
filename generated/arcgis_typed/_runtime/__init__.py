"""Hand-written runtime of `arcgis_typed`: generic mechanics that know no endpoint.

transport (urllib3 and in-process WSGI), auth (tokens, API keys, password and OAuth2 grants), errors (one
reader for both ArcGIS envelopes, one exception hierarchy), the wire converter, parameter encoding,
paging. The generated packages (`arcgis_typed.portal`, ...) describe the endpoints and call into this.
"""
