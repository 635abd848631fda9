"""Password reset by a mailed, single-use, expiring token (only its hash is stored)."""

from __future__ import annotations

import datetime

import redis.asyncio as aioredis

from infra.problems import ProblemError
from infra.settings import Settings
from services.identity.service import login_throttle, mail, sessions
from services.identity.service.auth import hash_password
from services.identity.tables import PasswordReset, User
from tenants.context import engine

INVALID_TOKEN = ProblemError(422, "validation_error", "Mã đặt lại mật khẩu không hợp lệ, đã dùng hoặc đã hết hạn.",
                             "The password reset token is invalid, used or expired.",
                             errors=[("token", "invalid_token", "Mã không hợp lệ hoặc đã hết hạn",
                                      "Invalid or expired token")])


async def request_reset(settings: Settings, email: str) -> None:
    """Mail a reset link if the email has an active account; the caller answers the same either way."""
    user = await User.select(User.id, User.full_name, User.language).where(
        (User.email == email.strip().lower()) & User.is_active.eq(True)).first()
    if user is None:
        return
    token = sessions.new_secret_token()
    now = datetime.datetime.now(tz=datetime.UTC)
    async with engine().transaction():
        # One live link at a time: a new request voids the older ones.
        await PasswordReset.update({PasswordReset.used_at: now}).where(
            (PasswordReset.user_id == user["id"]) & PasswordReset.used_at.is_null())
        await PasswordReset(user_id=user["id"], token_hash=sessions.token_digest(token),
                            expires_at=now + datetime.timedelta(seconds=settings.password_reset_ttl_seconds)).save()
        await mail.queue_mail(email.strip().lower(), user["language"], "password_reset",
                              name=user["full_name"] or email, minutes=settings.password_reset_ttl_seconds // 60,
                              link=f"{settings.public_url}/reset-password?token={token}")
    mail.enqueue_sender()


async def confirm_reset(settings: Settings, redis: aioredis.Redis, token: str, password: str) -> None:
    """Set the new password, spend the token, and end every session of the user."""
    now = datetime.datetime.now(tz=datetime.UTC)
    async with engine().transaction():
        spent = await PasswordReset.update({PasswordReset.used_at: now}).where(
            (PasswordReset.token_hash == sessions.token_digest(token)) & PasswordReset.used_at.is_null()
            & (PasswordReset.expires_at > now)).returning(PasswordReset.user_id)
        if not spent:
            raise INVALID_TOKEN
        user_id = spent[0]["user_id"]
        emails = await User.update({User.password_hash: hash_password(password)}).where(
            User.id == user_id).returning(User.email)
        await sessions.revoke_user_sessions(settings, redis, user_id)
    await login_throttle.clear(redis, emails[0]["email"])
