"""Errors that reach clients, and the stable codes they carry on the wire.

The tree::

    WsChatError                      code, message, http status
    ├── ValidationFailed             400 VALIDATION_FAILED
    │   ├── InvalidRange             400 INVALID_RANGE
    │   ├── InvalidCursor            400 INVALID_CURSOR
    │   ├── DisposableAddress        400 DISPOSABLE_ADDRESS
    │   ├── LinkInvalid              400 LINK_INVALID
    │   ├── WebhookUrlInvalid        400 WEBHOOK_URL_INVALID
    │   └── WebhookAddressForbidden  400 WEBHOOK_ADDRESS_FORBIDDEN
    ├── media.UnsupportedImage       400 UNSUPPORTED_IMAGE
    ├── media.ImageTooLarge          400 IMAGE_TOO_LARGE
    ├── InvalidCredentials           401 INVALID_CREDENTIALS
    ├── AuthInvalid                  401 AUTH_INVALID
    ├── Forbidden                    403 FORBIDDEN
    ├── TenantLocked                 403 TENANT_LOCKED
    ├── OriginNotAllowed             403 ORIGIN_NOT_ALLOWED
    ├── NotFound                     404 NOT_FOUND
    ├── UnsupportedMediaType         415 UNSUPPORTED_MEDIA_TYPE
    ├── Conflict                     409 CONFLICT
    │   ├── AlreadyAssigned          409 ALREADY_ASSIGNED
    │   ├── ConversationClosed       409 CONVERSATION_CLOSED
    │   ├── AgentUnavailable         409 AGENT_UNAVAILABLE
    │   ├── CallEnded                409 CALL_ENDED
    │   ├── MailNotConfigured        409 MAIL_NOT_CONFIGURED
    │   ├── DuplicateShortcut        409 DUPLICATE_SHORTCUT
    │   ├── VersionConflict          409 VERSION_CONFLICT
    │   ├── LimitReached             409 LIMIT_REACHED
    │   ├── TranscriptLimit          409 TRANSCRIPT_LIMIT
    │   ├── AgentsOnline             409 AGENTS_ONLINE
    │   ├── SignupPending            409 SIGNUP_PENDING
    │   ├── LinkUsed                 409 LINK_USED
    │   ├── ChatOpen                 409 CHAT_OPEN
    │   ├── Restricted               409 RESTRICTED
    │   ├── WrongState               409 WRONG_STATE
    │   ├── SlotTaken                409 SLOT_TAKEN
    │   ├── SlotNotOffered           409 SLOT_NOT_OFFERED
    │   └── TooEarly                 409 TOO_EARLY
    ├── RetentionExpired             410 RETENTION_EXPIRED
    ├── LinkExpired                  410 LINK_EXPIRED
    ├── RateLimited                  429 RATE_LIMITED
    └── Unavailable                  503 UNAVAILABLE

Every error has a human message that is safe to show; internal detail (exceptions of the driver, stack
traces, secrets) is logged, never sent. Third-party exceptions are translated at the boundary with
``raise ... from e``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Any, NotRequired, TypedDict


class ErrorCode(StrEnum):
    """The codes that go on the wire (HTTP bodies, Socket.IO acks and connect errors)."""

    VALIDATION_FAILED = "VALIDATION_FAILED"
    INVALID_CREDENTIALS = "INVALID_CREDENTIALS"
    AUTH_INVALID = "AUTH_INVALID"
    FORBIDDEN = "FORBIDDEN"
    TENANT_LOCKED = "TENANT_LOCKED"
    ORIGIN_NOT_ALLOWED = "ORIGIN_NOT_ALLOWED"
    NOT_FOUND = "NOT_FOUND"
    METHOD_NOT_ALLOWED = "METHOD_NOT_ALLOWED"
    CONFLICT = "CONFLICT"
    ALREADY_ASSIGNED = "ALREADY_ASSIGNED"
    CONVERSATION_CLOSED = "CONVERSATION_CLOSED"
    AGENT_UNAVAILABLE = "AGENT_UNAVAILABLE"
    CALL_ENDED = "CALL_ENDED"
    MAIL_NOT_CONFIGURED = "MAIL_NOT_CONFIGURED"
    DUPLICATE_SHORTCUT = "DUPLICATE_SHORTCUT"
    VERSION_CONFLICT = "VERSION_CONFLICT"
    LIMIT_REACHED = "LIMIT_REACHED"
    TRANSCRIPT_LIMIT = "TRANSCRIPT_LIMIT"
    AGENTS_ONLINE = "AGENTS_ONLINE"
    CHAT_OPEN = "CHAT_OPEN"
    RESTRICTED = "RESTRICTED"
    WRONG_STATE = "WRONG_STATE"
    SLOT_TAKEN = "SLOT_TAKEN"
    SLOT_NOT_OFFERED = "SLOT_NOT_OFFERED"
    TOO_EARLY = "TOO_EARLY"
    RETENTION_EXPIRED = "RETENTION_EXPIRED"
    INVALID_RANGE = "INVALID_RANGE"
    INVALID_CURSOR = "INVALID_CURSOR"
    DISPOSABLE_ADDRESS = "DISPOSABLE_ADDRESS"
    LINK_INVALID = "LINK_INVALID"
    WEBHOOK_URL_INVALID = "WEBHOOK_URL_INVALID"
    WEBHOOK_ADDRESS_FORBIDDEN = "WEBHOOK_ADDRESS_FORBIDDEN"
    LINK_EXPIRED = "LINK_EXPIRED"
    LINK_USED = "LINK_USED"
    SIGNUP_PENDING = "SIGNUP_PENDING"
    TOO_LARGE = "TOO_LARGE"
    UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE"
    UNSUPPORTED_IMAGE = "UNSUPPORTED_IMAGE"
    IMAGE_TOO_LARGE = "IMAGE_TOO_LARGE"
    RATE_LIMITED = "RATE_LIMITED"
    UNAVAILABLE = "UNAVAILABLE"
    INTERNAL = "INTERNAL"


class ErrorWire(TypedDict):
    """An error on the wire: the ``error`` of a refused ack, a refused connect, an HTTP error body."""

    code: str
    message: str
    details: NotRequired[dict[str, Any]]


class WsChatError(Exception):
    """Base of every error that is reported to a client."""

    code: ErrorCode = ErrorCode.INTERNAL
    status: int = 500
    default_message = "Something went wrong on our side."

    def __init__(self, message: str | None = None, *, details: dict[str, Any] | None = None) -> None:
        self.message = message or self.default_message
        self.details = details
        super().__init__(self.message)

    def to_wire(self) -> ErrorWire:
        """The ``{"code", "message"}`` object (plus ``details`` when there are any)."""
        body: ErrorWire = {"code": self.code.value, "message": self.message}
        if self.details:
            body["details"] = self.details
        return body


class ValidationFailed(WsChatError):
    code = ErrorCode.VALIDATION_FAILED
    status = 400
    default_message = "The request is not valid."


class InvalidRange(ValidationFailed):
    code = ErrorCode.INVALID_RANGE
    default_message = "The date range is not valid."


class InvalidCursor(ValidationFailed):
    code = ErrorCode.INVALID_CURSOR
    default_message = "This paging cursor is not valid; start from the first page again."


class DisposableAddress(ValidationFailed):
    code = ErrorCode.DISPOSABLE_ADDRESS
    default_message = (
        "Please use your work e-mail address: addresses of throw-away mail services are refused."
    )


class LinkInvalid(ValidationFailed):
    code = ErrorCode.LINK_INVALID
    default_message = "This confirmation link is not valid. Please copy the whole link from the e-mail."


class WebhookUrlInvalid(ValidationFailed):
    """A webhook address wsChat will not send to: not https, too long, with credentials, no host
    (wschat/webhooks/addresses.py); the message says which."""

    code = ErrorCode.WEBHOOK_URL_INVALID
    default_message = "This webhook address cannot be used."


class WebhookAddressForbidden(ValidationFailed):
    """The webhook's host is (or resolves to) a loopback, private, link-local or other non-public
    address that the operator did not allow (``WSCHAT_WEBHOOK_ALLOW_NETWORKS``)."""

    code = ErrorCode.WEBHOOK_ADDRESS_FORBIDDEN
    default_message = "This webhook address points into a network wsChat does not send to."


class InvalidCredentials(WsChatError):
    code = ErrorCode.INVALID_CREDENTIALS
    status = 401
    default_message = "Tenant, login or password is wrong."


class AuthInvalid(WsChatError):
    code = ErrorCode.AUTH_INVALID
    status = 401
    default_message = "You are not signed in, or your session has ended."


class Forbidden(WsChatError):
    code = ErrorCode.FORBIDDEN
    status = 403
    default_message = "You are not allowed to do this."


class TenantLocked(WsChatError):
    code = ErrorCode.TENANT_LOCKED
    status = 403
    default_message = "This account is locked."


class OriginNotAllowed(WsChatError):
    code = ErrorCode.ORIGIN_NOT_ALLOWED
    status = 403
    default_message = "This website is not allowed to use this chat."


class NotFound(WsChatError):
    code = ErrorCode.NOT_FOUND
    status = 404
    default_message = "Not found."


class MethodNotAllowed(WsChatError):
    code = ErrorCode.METHOD_NOT_ALLOWED
    status = 405
    default_message = "This method is not allowed here."


class Conflict(WsChatError):
    code = ErrorCode.CONFLICT
    status = 409
    default_message = "This conflicts with the current state."


class AlreadyAssigned(Conflict):
    code = ErrorCode.ALREADY_ASSIGNED
    default_message = "Another agent has taken this chat."


class ConversationClosed(Conflict):
    code = ErrorCode.CONVERSATION_CLOSED
    default_message = "This chat has ended."


class AgentUnavailable(Conflict):
    code = ErrorCode.AGENT_UNAVAILABLE
    default_message = "That agent is not online or has no free capacity."


class CallEnded(Conflict):
    code = ErrorCode.CALL_ENDED
    default_message = "This call has ended."


class MailNotConfigured(Conflict):
    code = ErrorCode.MAIL_NOT_CONFIGURED
    default_message = "No mail server is set up, so no e-mail can be sent."


class DuplicateShortcut(Conflict):
    code = ErrorCode.DUPLICATE_SHORTCUT
    default_message = "Another reply already has this shortcut."


class VersionConflict(Conflict):
    code = ErrorCode.VERSION_CONFLICT
    default_message = "This was changed meanwhile by someone else; load it again, then change it."


class LimitReached(Conflict):
    code = ErrorCode.LIMIT_REACHED
    default_message = "The limit is reached; delete something first."


class TranscriptLimit(Conflict):
    code = ErrorCode.TRANSCRIPT_LIMIT
    default_message = "This conversation has been sent by e-mail as often as it may be."


class AgentsOnline(Conflict):
    code = ErrorCode.AGENTS_ONLINE
    default_message = "Somebody is online now: please start a chat instead."


class ChatOpen(Conflict):
    """A person whose chat is still open cannot be erased: an agent may be answering them."""

    code = ErrorCode.CHAT_OPEN
    default_message = "This person's chat is still open; it must be closed first."


class Restricted(Conflict):
    """The person restricted the processing of their data (Art. 18): it is kept, not sent anywhere."""

    code = ErrorCode.RESTRICTED
    default_message = "This person's data is restricted: it is not sent by e-mail."


class WrongState(Conflict):
    """A lifecycle command that does not apply in the tenant's present state (end a demo twice, release a
    hold that is not set)."""

    code = ErrorCode.WRONG_STATE
    default_message = "This does not apply in the present state."


class SlotTaken(Conflict):
    """Someone else booked this slot (or one that overlaps it) first."""

    code = ErrorCode.SLOT_TAKEN
    default_message = "This time was just taken. Please pick another."


class SlotNotOffered(Conflict):
    """The time asked for is no slot of this type now: past, too soon, too far ahead, outside the hours,
    or of another length."""

    code = ErrorCode.SLOT_NOT_OFFERED
    default_message = "This time is not offered for this appointment. Please pick one of the times shown."


class TooEarly(Conflict):
    """A link that opens only at a time still to come (an appointment's call page, minutes before)."""

    code = ErrorCode.TOO_EARLY
    default_message = "This is too early. Please come back at the time given."


class SignupPending(Conflict):
    code = ErrorCode.SIGNUP_PENDING
    default_message = (
        "A sign-up with this address waits for its confirmation: please follow the link in the e-mail "
        "we sent (it is valid for 24 hours)."
    )


class LinkUsed(Conflict):
    code = ErrorCode.LINK_USED
    default_message = "This confirmation link has been used already: your demo exists. Please sign in."


class LinkExpired(WsChatError):
    code = ErrorCode.LINK_EXPIRED
    status = 410
    default_message = "This confirmation link has expired (after 24 hours). Please sign up again."


class RetentionExpired(WsChatError):
    """The data's retention is over: from six months after a contract ended, no export is made."""

    code = ErrorCode.RETENTION_EXPIRED
    status = 410
    default_message = "The retention period of this data is over; it can no longer be exported."


class TooLarge(WsChatError):
    code = ErrorCode.TOO_LARGE
    status = 413
    default_message = "The request body is too large."


class UnsupportedMediaType(WsChatError):
    code = ErrorCode.UNSUPPORTED_MEDIA_TYPE
    status = 415
    default_message = "The body must be JSON, sent as Content-Type: application/json."


class RateLimited(WsChatError):
    code = ErrorCode.RATE_LIMITED
    status = 429
    default_message = "Too many attempts. Please wait a minute and try again."

    def __init__(self, message: str | None = None, *, retry_after: int = 60) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class Unavailable(WsChatError):
    code = ErrorCode.UNAVAILABLE
    status = 503
    default_message = "The service is temporarily unavailable. Please try again."


class ConfigError(Exception):
    """A bad or missing ``WSCHAT_*`` setting; stops start-up. Never sent to a client."""

    def __init__(self, variable: str, problem: str) -> None:
        self.variable = variable
        super().__init__(f"{variable}: {problem}")
