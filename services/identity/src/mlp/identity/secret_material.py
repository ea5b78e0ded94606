"""identity's secrets, from settings: API-key peppers and the signing keys' encryption key.

Refuses the built-in development secrets unless ``IDENTITY_ENVIRONMENT=development`` (what
``make run`` and the tests set): a production identity never starts with a pepper or a KEK
that is published in this repository.
"""

from __future__ import annotations

from mlp.identity.adapters.key_sealing import FernetKeySealer
from mlp.identity.domain.api_keys import LEGACY_PEPPER_ID, KeyHasher
from mlp.identity.settings import DEVELOPMENT_KEK, DEVELOPMENT_PEPPER, IdentitySettings

DEVELOPMENT = "development"


class DevelopmentSecretRefused(RuntimeError):
    pass


def refuse_development_secrets(settings: IdentitySettings) -> None:
    if settings.environment == DEVELOPMENT:
        return
    if settings.api_key_pepper == DEVELOPMENT_PEPPER or DEVELOPMENT_PEPPER in settings.api_key_previous_peppers:
        raise DevelopmentSecretRefused("IDENTITY_API_KEY_PEPPER is the development pepper: set a secret one")
    if DEVELOPMENT_KEK in (settings.signing_key_kek, *settings.signing_key_previous_keks.split(",")):
        raise DevelopmentSecretRefused("IDENTITY_SIGNING_KEY_KEK is the development key: set a secret one")


def key_hasher(settings: IdentitySettings) -> KeyHasher:
    refuse_development_secrets(settings)
    peppers = {LEGACY_PEPPER_ID: settings.api_key_pepper.encode()}
    for entry in filter(None, (part.strip() for part in settings.api_key_previous_peppers.split(","))):
        pepper_id, _, pepper = entry.partition("=")
        if not pepper_id.isdigit() or not pepper:
            raise ValueError("IDENTITY_API_KEY_PREVIOUS_PEPPERS looks like id=pepper,id=pepper")
        peppers[int(pepper_id)] = pepper.encode()
    peppers[settings.api_key_pepper_id] = settings.api_key_pepper.encode()
    return KeyHasher(peppers, settings.api_key_pepper_id, settings.api_key_env)


def key_sealer(settings: IdentitySettings) -> FernetKeySealer:
    refuse_development_secrets(settings)
    previous = [k.strip() for k in settings.signing_key_previous_keks.split(",") if k.strip()]
    return FernetKeySealer([settings.signing_key_kek, *previous])
