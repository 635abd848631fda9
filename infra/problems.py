"""RFC 9457 `application/problem+json` errors, in Vietnamese and English (DESIGN §4).

Every error a service returns goes through `problem_response`: a stable `code` and `type`, a `title` and
`detail` in the caller's language (Accept-Language; Vietnamese by default), both languages under `i18n`,
and field-level `errors` naming the field at fault.
"""

from __future__ import annotations

import logging
import re
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

logger = logging.getLogger("crm.problems")

PROBLEM_BASE = "https://docs.crm.local/problems/"
PROBLEM_MEDIA_TYPE = "application/problem+json"

# code -> (Vietnamese, English) title
TITLES: dict[str, tuple[str, str]] = {
    "bad_request": ("Yêu cầu không hợp lệ", "Bad request"),
    "malformed_body": ("Nội dung yêu cầu không đọc được", "Malformed request body"),
    "validation_error": ("Dữ liệu không hợp lệ", "Invalid input"),
    "unauthorized": ("Chưa xác thực", "Not authenticated"),
    "forbidden": ("Không có quyền", "Forbidden"),
    "not_found": ("Không tìm thấy", "Not found"),
    "method_not_allowed": ("Phương thức không được hỗ trợ", "Method not allowed"),
    "conflict": ("Xung đột dữ liệu", "Conflict"),
    "duplicate": ("Khách hàng có thể bị trùng", "Possible duplicate customer"),
    "merge_conflict": ("Không thể gộp", "Cannot merge"),
    "body_too_large": ("Nội dung yêu cầu quá lớn", "Request body too large"),
    "unsupported_media_type": ("Kiểu nội dung không được hỗ trợ", "Unsupported media type"),
    "rate_limited": ("Quá nhiều yêu cầu", "Too many requests"),
    "service_unavailable": ("Dịch vụ chưa sẵn sàng", "Service unavailable"),
    "internal_error": ("Lỗi hệ thống", "Internal error"),
    "tenant_read_only": ("Công ty đang ở chế độ chỉ đọc", "Company is read-only"),
    "tenant_suspended": ("Công ty đã bị tạm ngưng", "Company is suspended"),
    "quota_exceeded": ("Vượt hạn mức của gói", "Plan quota exceeded"),
    "billing_not_configured": ("Chưa cấu hình thanh toán", "Billing is not configured"),
}

STATUS_CODES: dict[int, str] = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed",
    409: "conflict", 413: "body_too_large", 415: "unsupported_media_type", 422: "validation_error",
    429: "rate_limited", 503: "service_unavailable",
}


class FieldError(msgspec.Struct, frozen=True):
    field: str
    code: str
    message: str
    message_vi: str
    message_en: str


class Problem(msgspec.Struct, omit_defaults=True):
    type: str
    code: str
    status: int
    title: str
    detail: str
    i18n: dict[str, dict[str, str]]
    instance: str | None = None
    errors: list[FieldError] = msgspec.field(default_factory=list)


class ProblemError(Exception):
    """Raised by the service layer for an error the caller can act on."""

    def __init__(self, status: int, code: str, detail_vi: str, detail_en: str,
                 errors: list[tuple[str, str, str, str]] | None = None,
                 headers: dict[str, str] | None = None, extensions: dict[str, Any] | None = None) -> None:
        super().__init__(detail_en)
        self.status = status
        self.code = code
        self.detail_vi = detail_vi
        self.detail_en = detail_en
        self.errors = errors or []  # (field, code, message vi, message en)
        self.headers = headers or {}
        self.extensions = extensions or {}  # RFC 9457 extension members, e.g. a quota's usage and limit


class NotFoundError(ProblemError):
    """Missing, or another tenant's: both answer 404 so no tenant learns another's ids exist."""

    def __init__(self, what_vi: str, what_en: str) -> None:
        super().__init__(404, "not_found", f"Không tìm thấy {what_vi}.", f"{what_en} not found.")


def language(request: Request[Any, Any, Any]) -> str:
    header = request.headers.get("accept-language", "")
    first = header.split(",")[0].strip().lower()
    return "en" if first.startswith("en") else "vi"


# msgspec's messages, rewritten per language: (pattern, code, vi, en)
_MSGSPEC_MESSAGES: list[tuple[re.Pattern[str], str, str, str]] = [
    (re.compile(r"Object contains unknown field `(?P<f>[^`]+)`"), "unknown_field",
     "Trường `{f}` không được chấp nhận", "Unknown field `{f}`"),
    (re.compile(r"Object missing required field `(?P<f>[^`]+)`"), "required",
     "Thiếu trường bắt buộc `{f}`", "Missing required field `{f}`"),
    (re.compile(r"Expected `str` matching regex"), "invalid_format",
     "Định dạng không hợp lệ", "Invalid format"),
    (re.compile(r"Expected `(?P<want>[^`]+)`, got `(?P<got>[^`]+)`"), "wrong_type",
     "Cần kiểu `{want}`, nhận được `{got}`", "Expected `{want}`, got `{got}`"),
    (re.compile(r"Expected `(?P<want>[^`]+)` of length (?P<cmp>[<>=]+) (?P<n>\d+)"), "length",
     "Độ dài phải {cmp} {n}", "Length must be {cmp} {n}"),
    (re.compile(r"Expected `(?P<want>[^`]+)` (?P<cmp>[<>=]+) (?P<n>[\d.]+)"), "range",
     "Giá trị phải {cmp} {n}", "Value must be {cmp} {n}"),
    (re.compile(r"Invalid enum value (?P<v>.+)"), "invalid_choice",
     "Giá trị {v} không thuộc danh sách cho phép", "Value {v} is not an allowed choice"),
    (re.compile(r"Invalid (?P<what>[A-Za-z0-9 ]+)"), "invalid_format",
     "Định dạng không hợp lệ ({what})", "Invalid {what}"),
]
_PATH = re.compile(r" - at `\$\.?(?P<path>[^`]*)`")


def field_error_from_message(message: str, field: str | None = None) -> FieldError:
    path_match = _PATH.search(message)
    if field is None:
        field = path_match.group("path") if path_match else ""
    core = _PATH.sub("", message)
    for pattern, code, vi, en in _MSGSPEC_MESSAGES:
        if match := pattern.search(core):
            values = match.groupdict()
            if code in ("unknown_field", "required"):
                field = ".".join(filter(None, [field, values["f"]]))
            return FieldError(field=field, code=code, message=en.format(**values),
                              message_vi=vi.format(**values), message_en=en.format(**values))
    return FieldError(field=field, code="invalid", message=core, message_vi=f"Không hợp lệ: {core}",
                      message_en=core)


def _validation_errors(exc: ValidationException) -> list[FieldError]:
    errors = []
    for item in exc.extra if isinstance(exc.extra, list) else []:
        if not isinstance(item, dict):
            continue
        key = item.get("key")
        source = getattr(item.get("source"), "value", item.get("source"))
        if key == "data":  # the body as a whole; msgspec's own path, if any, names the field
            key = None
        field = f"{source}.{key}" if source and source != "body" and key else key
        errors.append(field_error_from_message(str(item.get("message", "")), field))
    return errors


def _localise(error: FieldError, lang: str) -> FieldError:
    return msgspec.structs.replace(error, message=error.message_vi if lang == "vi" else error.message_en)


def problem_response(request: Request[Any, Any, Any], status: int, code: str, detail_vi: str, detail_en: str,
                     errors: list[FieldError] | None = None,
                     headers: dict[str, str] | None = None,
                     extensions: dict[str, Any] | None = None) -> Response[Any]:
    lang = language(request)
    title_vi, title_en = TITLES.get(code, TITLES["bad_request"])
    body = Problem(
        type=PROBLEM_BASE + code.replace("_", "-"),
        code=code,
        status=status,
        title=title_vi if lang == "vi" else title_en,
        detail=detail_vi if lang == "vi" else detail_en,
        i18n={"vi": {"title": title_vi, "detail": detail_vi}, "en": {"title": title_en, "detail": detail_en}},
        instance=request.url.path,
        errors=[_localise(error, lang) for error in errors or []],
    )
    content: Any = {**msgspec.to_builtins(body), **extensions} if extensions else body
    return Response(content, status_code=status, media_type=PROBLEM_MEDIA_TYPE, headers=headers)


def handle_problem(request: Request[Any, Any, Any], exc: ProblemError) -> Response[Any]:
    errors = [FieldError(field=f, code=c, message=en, message_vi=vi, message_en=en) for f, c, vi, en in exc.errors]
    return problem_response(request, exc.status, exc.code, exc.detail_vi, exc.detail_en, errors, exc.headers,
                            exc.extensions)


def handle_http_exception(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    status = exc.status_code
    errors = _validation_errors(exc) if isinstance(exc, ValidationException) else []
    if errors:
        return problem_response(request, 422, "validation_error", "Một số trường không hợp lệ.",
                                "Some fields are invalid.", errors)
    if status == 400 and request.method in ("POST", "PUT", "PATCH"):
        # msgspec could not decode the body at all (truncated, not JSON, wrong top-level type).
        return problem_response(request, 400, "malformed_body", "Nội dung không phải JSON hợp lệ.",
                                f"The body is not valid JSON: {exc.detail}",
                                [FieldError(field="body", code="malformed", message=str(exc.detail),
                                            message_vi="Nội dung yêu cầu không đọc được",
                                            message_en=str(exc.detail))])
    code = STATUS_CODES.get(status, "bad_request" if status < 500 else "internal_error")
    title_vi, title_en = TITLES[code]
    return problem_response(request, status, code, title_vi + ".", str(exc.detail) or title_en,
                            headers=dict(exc.headers or {}))


def handle_unexpected(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    logger.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return problem_response(request, 500, "internal_error", "Đã có lỗi xảy ra, vui lòng thử lại.",
                            "Something went wrong; please try again.")


EXCEPTION_HANDLERS: dict[Any, Any] = {
    ProblemError: handle_problem,
    HTTPException: handle_http_exception,
    Exception: handle_unexpected,
}




def invalid(errors: list[tuple[str, str, str, str]]) -> ProblemError:
    """422 naming each field at fault: (field, code, message vi, message en)."""
    return ProblemError(422, "validation_error", "Một số trường không hợp lệ.", "Some fields are invalid.",
                        errors=errors)


def not_ours(field: str, what_vi: str, what_en: str) -> tuple[str, str, str, str]:
    """The field error for an id that is not this tenant's (or does not exist): the same words either way."""
    return (field, "not_found", f"Không có {what_vi} này trong công ty", f"No such {what_en} in this company")
