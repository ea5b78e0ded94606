"""Every route identity serves."""

from mlp.identity.api import api_keys, audit, auth, internal_tokens, internal_users, jwks, me, sessions, verify

ROUTES = [
    auth.sign_in,
    auth.refresh,
    verify.verify_caller,
    jwks.jwks,
    internal_tokens.mint_token,
    internal_users.user_contact,
    me.get_me,
    me.update_me,
    me.delete_me,
    sessions.list_sessions,
    sessions.revoke_session,
    sessions.revoke_other_sessions,
    sessions.revoke_all_sessions,
    api_keys.scope_catalogue,
    api_keys.create_key,
    api_keys.list_keys,
    api_keys.get_key,
    api_keys.rename_key,
    api_keys.revoke_key,
    api_keys.rotate_key,
    audit.ingest_audit_events,
    audit.list_audit_events,
]
