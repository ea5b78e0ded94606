"""The egress guard for user-supplied URLs (deployment upstreams, trainers, webhooks).

Addresses are checked when a connection is made and the checked address is the one connected
to: the HTTP clients' resolvers go through :class:`EgressGuard`, so a name answering a public
address at create time and a private one later (DNS rebinding) is refused at the connection.
"""
