"""Writes on people and roles: who belongs to which organisation, with which role.

Every function is keyword-only, checks the permission itself (`can_manage_members`) and raises
`PermissionDenied` or `ValidationError` with the messages below, so the web pages, the API and the
tests share one wording. Nothing is written when a call raises.

The rule about administrators: an organisation that has at least one administrator always keeps
one. Demoting or removing its last administrator is refused, whoever asks (coordinators included):
promote somebody else first. An organisation that never had an administrator (most of the
directory, loaded from open data) can be given one by a coordinator.
"""

from __future__ import annotations

import logging
from functools import partial

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext_lazy as _

from welfarelab.accounts.models import Membership, User
from welfarelab.accounts.permissions import can_manage_members
from welfarelab.organisations.models import Organisation

logger = logging.getLogger(__name__)

MAY_NOT_MANAGE_MEMBERS = _(
    "Only the administrators of this organisation and the lab coordinators may manage its members."
)
ALREADY_A_MEMBER = _("This person is already a member of the organisation.")
UNKNOWN_ROLE = _("Choose one of the roles: viewer, editor or administrator.")
LAST_ADMIN = _(
    "The organisation would be left without an administrator: make somebody else administrator first."
)
EMAIL_REQUIRED = _("Enter the email address of the person to add.")


def _role_checked(role: str) -> Membership.Role:
    if role not in Membership.Role.values:
        raise ValidationError({"role": UNKNOWN_ROLE}, code="invalid_role")
    return Membership.Role(role)


def _lock_organisation(organisation_id: int) -> None:
    """Serialise membership changes of one organisation (two admins demoting each other at once)."""
    Organisation.objects.select_for_update().filter(pk=organisation_id).values_list("pk", flat=True).get()


def _other_admins_exist(membership: Membership) -> bool:
    return (
        Membership.objects.filter(organisation_id=membership.organisation_id, role=Membership.Role.ADMIN)
        .exclude(pk=membership.pk)
        .exists()
    )


@transaction.atomic
def membership_add(
    *, organisation: Organisation, email: str, role: str, added_by: User, base_url: str
) -> Membership:
    """Give the person with `email` the `role` in `organisation` and return the new membership.

    When nobody has an account with that address yet, one is created without a password and an
    invitation is emailed (after the commit) with a link to choose one; `base_url` is the scheme and
    host that link starts with (e.g. `request.build_absolute_uri("/")`). Existing accounts are found
    whatever the case of the address.

    Raises PermissionDenied unless `added_by` may manage the members of `organisation`, and
    ValidationError for an unknown role, an empty address or a person who is already a member.
    """
    if not can_manage_members(added_by, organisation):
        raise PermissionDenied(MAY_NOT_MANAGE_MEMBERS)
    role = _role_checked(role)
    email = User.objects.normalize_email(email.strip())
    if not email:
        raise ValidationError({"email": EMAIL_REQUIRED}, code="required")
    _lock_organisation(organisation.pk)
    user = User.objects.filter(email__iexact=email).first()
    invited = user is None
    if user is None:
        user = User(email=email)
        user.set_unusable_password()
        user.full_clean(exclude=["password"])
        user.save()
    elif Membership.objects.filter(user=user, organisation=organisation).exists():
        raise ValidationError({"email": ALREADY_A_MEMBER}, code="already_member")
    membership = Membership(user=user, organisation=organisation, role=role)
    membership.full_clean()
    membership.save()
    logger.info(
        "membership.added",
        extra={"membership_id": membership.pk, "organisation_id": organisation.pk, "by_user_id": added_by.pk},
    )
    if invited:
        transaction.on_commit(
            partial(
                _invitation_send,
                user_id=user.pk,
                organisation_id=organisation.pk,
                invited_by_id=added_by.pk,
                base_url=base_url,
            )
        )
    return membership


@transaction.atomic
def membership_change_role(*, membership: Membership, role: str, changed_by: User) -> Membership:
    """Give the member `role` and return the membership.

    Raises PermissionDenied unless `changed_by` may manage the members of the organisation, and
    ValidationError for an unknown role or when the last administrator would be demoted.
    """
    if not can_manage_members(changed_by, membership.organisation):
        raise PermissionDenied(MAY_NOT_MANAGE_MEMBERS)
    role = _role_checked(role)
    _lock_organisation(membership.organisation_id)
    membership.refresh_from_db(fields=["role"])
    if role == membership.role:
        return membership
    if membership.role == Membership.Role.ADMIN and not _other_admins_exist(membership):
        raise ValidationError({"role": LAST_ADMIN}, code="last_admin")
    membership.role = role
    membership.full_clean()
    membership.save(update_fields=["role", "updated_at"])
    logger.info(
        "membership.role_changed",
        extra={"membership_id": membership.pk, "role": role, "by_user_id": changed_by.pk},
    )
    return membership


@transaction.atomic
def membership_remove(*, membership: Membership, removed_by: User) -> None:
    """End the membership. Anybody may leave an organisation; managers may remove others.

    Raises PermissionDenied when `removed_by` is neither the member nor a manager of the
    organisation, and ValidationError when the last administrator would go. The account itself stays.
    """
    if membership.user_id != removed_by.pk and not can_manage_members(removed_by, membership.organisation):
        raise PermissionDenied(MAY_NOT_MANAGE_MEMBERS)
    _lock_organisation(membership.organisation_id)
    membership.refresh_from_db(fields=["role"])
    if membership.role == Membership.Role.ADMIN and not _other_admins_exist(membership):
        raise ValidationError(LAST_ADMIN, code="last_admin")
    logger.info(
        "membership.removed",
        extra={
            "membership_id": membership.pk,
            "organisation_id": membership.organisation_id,
            "by_user_id": removed_by.pk,
        },
    )
    membership.delete()


def _invitation_send(*, user_id: int, organisation_id: int, invited_by_id: int, base_url: str) -> None:
    """Email a new account the link to choose its password (the password-reset link, valid for
    PASSWORD_RESET_TIMEOUT seconds; after that the person asks for a new one on the reset page)."""
    user = User.objects.get(pk=user_id)
    context = {
        "user": user,
        "organisation": Organisation.objects.get(pk=organisation_id),
        "invited_by": User.objects.get(pk=invited_by_id),
        "lab_name": settings.WELFARELAB_LAB_NAME,
        "link": base_url.rstrip("/")
        + reverse(
            "accounts:password-reset-confirm",
            kwargs={
                "uidb64": urlsafe_base64_encode(force_bytes(user.pk)),
                "token": default_token_generator.make_token(user),
            },
        ),
    }
    subject = "".join(render_to_string("accounts/email/invitation_subject.txt", context).splitlines())
    body = render_to_string("accounts/email/invitation_body.txt", context)
    try:
        send_mail(subject, body, None, [user.email])
    except OSError:
        # The membership is committed; the person can still ask for a link on the password-reset page.
        logger.exception("membership.invitation_not_sent", extra={"user_id": user_id})
