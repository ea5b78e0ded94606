"""The ports registry's use cases need (repositories, other services, external systems).

Empty until registry's own issue brings its use cases; cross-service calls will be adapters behind
Protocols declared here.
"""
