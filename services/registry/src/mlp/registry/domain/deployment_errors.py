"""Why a deployment or an inference call was refused (mapped to problem+json or OpenAI errors by the API)."""

from __future__ import annotations


class DeploymentError(Exception):
    code = "deployment-error"

    def __init__(self, detail: str, field: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field


class DeploymentNotFound(DeploymentError):
    code = "not-found"


class InvalidDeployment(DeploymentError):
    """Bad input, naming the field at fault."""

    code = "validation-error"

    def __init__(self, field: str, detail: str) -> None:
        super().__init__(detail, field)


class ForbiddenUpstream(InvalidDeployment):
    """The upstream URL points at an address the SSRF guard forbids."""

    code = "forbidden-upstream"


class InvalidTransition(DeploymentError):
    code = "conflict"


class NameTaken(DeploymentError):
    code = "conflict"
