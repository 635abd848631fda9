"""Invitations to join a company."""

from __future__ import annotations

import uuid

from litestar import Controller, delete, get, post
from litestar.params import FromPath, JSONBody

from services.identity.controllers.deps import RuntimeDep
from services.identity.schemas import InvitationAccept, InvitationCreate, InvitationOut, TokenResponse
from services.identity.service import invitations
from tenants.access import requires
from tenants.auth import TenantScope
from tenants.pagination import Cursor, Limit, Page


class InvitationController(Controller):
    path = "/invitations"
    tags = ["invitations"]

    @post(guards=[requires("members:manage")],
          summary="Invite an email with a role; the invitee gets a mail with a link")
    async def create_invitation(self, runtime: RuntimeDep, tenant: TenantScope,
                                data: JSONBody[InvitationCreate]) -> InvitationOut:
        return await invitations.create_invitation(runtime.settings, tenant, data)

    @get(guards=[requires("members:manage")], summary="Pending invitations")
    async def list_invitations(self, tenant: TenantScope, limit: Limit = 50,
                               cursor: Cursor = None) -> Page[InvitationOut]:
        return await invitations.list_invitations(tenant, limit, cursor)

    @delete("/{invitation_id:uuid}", guards=[requires("members:manage")], summary="Withdraw a pending invitation")
    async def delete_invitation(self, tenant: TenantScope, invitation_id: FromPath[uuid.UUID]) -> None:
        await invitations.delete_invitation(tenant, invitation_id)

    @post("/accept", status_code=200, opt={"public": True},
          summary="Accept an invitation with its mailed token; creates the account if the email has none")
    async def accept_invitation(self, runtime: RuntimeDep, data: JSONBody[InvitationAccept]) -> TokenResponse:
        return await invitations.accept_invitation(runtime.settings, data)
