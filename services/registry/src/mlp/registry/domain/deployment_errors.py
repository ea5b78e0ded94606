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


class NotServing(DeploymentError):
    """A deployment that is pending, failed or stopped is asked to answer a call."""

    code = "not-serving"

    def __init__(self, name: str, status: str, detail: str | None) -> None:
        why = {
            "pending": "it is pending: its model server has not been probed yet",
            "failed": "it failed: its model server did not answer the probe",
            "stopped": "it is stopped",
        }.get(status, f"it is {status}")
        suffix = f" ({detail})" if detail and status == "failed" else ""
        super().__init__(f"deployment '{name}' does not serve: {why}{suffix}", "model")
        self.status = status
