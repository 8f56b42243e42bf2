"""Use cases for the front ends: a contract's notice or certificate, looked up by number.

The chat front end calls :func:`issue_notice` (with the asking contractor's お客様ID, so a
contractor only ever gets the 認証キー of their own contracts); the mail front end calls
:func:`hosho.core.documents.reader.parse_pdf` on attachments.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import date
from pathlib import Path

from sqlalchemy import Engine
from sqlmodel import select

from hosho.core.errors import NotFound
from hosho.core.rules.profile import Profile
from hosho.core.store.db import session_scope
from hosho.core.store.models import Contract, Contractor
from hosho.core.text import normalize_number


def load_contract(
    engine: Engine, number: str, customer_id: str | None = None
) -> tuple[Contract, Contractor]:
    """The contract with this 保証契約番号 (normalised: full-width, hyphens, spaces) and its
    contractor. With ``customer_id`` the contract must belong to that contractor.

    Raises NotFound, with the same message whether the number is unknown or someone
    else's (so the answer does not reveal other contractors' contracts).
    """
    wanted = normalize_number(number)
    missing = NotFound(
        f"保証契約番号 {wanted or number!r} の契約が見つかりません / no such contract"
    )
    if not wanted:
        raise missing
    with session_scope(engine) as session:
        contract = session.exec(select(Contract).where(Contract.contract_number == wanted)).first()
        if contract is None:
            raise missing
        contractor = session.get(Contractor, contract.contractor_id)
        if contractor is None or (
            customer_id is not None and contractor.customer_id != customer_id
        ):
            raise missing
        session.expunge_all()
    return contract, contractor


def issue_notice(
    engine: Engine,
    profile: Profile,
    number: str,
    *,
    customer_id: str | None = None,
    issued: date | None = None,
    body_font: Path | None = None,
) -> tuple[bytes, Contract]:
    """The 認証キー等のお知らせ PDF of one contract, and the contract (for the reply text:
    where to send it is ``profile.address_for(contract.kind)``). ``body_font`` is the
    setting HOSHO_PDF_FONT (``runtime.settings.pdf_font``): None for the packaged font."""
    from hosho.core.documents.notice import render_notice

    contract, contractor = load_contract(engine, number, customer_id)
    pdf = render_notice(contract, contractor, profile, issued=issued, body_font=body_font)
    return pdf, contract


def render_certificate_for(
    engine: Engine,
    profile: Profile,
    number: str,
    *,
    customer_id: str | None = None,
    body_font: Path | None = None,
) -> tuple[bytes, Contract]:
    """The 電子証書 view (STEP3 file) of one contract, and the contract."""
    from hosho.core.documents.certificate import render_certificate

    contract, contractor = load_contract(engine, number, customer_id)
    return render_certificate(contract, contractor, profile, body_font=body_font), contract


def notice_renderer(
    body_font: Path | None = None,
) -> Callable[[Contract, Contractor, Profile], bytes]:
    """``render_notice`` with the font fixed, for a chat front end's Conversation:
    ``notice_renderer(runtime.settings.pdf_font)`` (fpdf2 is imported on the first call)."""

    def render(contract: Contract, contractor: Contractor, profile: Profile) -> bytes:
        from hosho.core.documents.notice import render_notice

        return render_notice(contract, contractor, profile, body_font=body_font)

    return render


def notice_filename(contract: Contract) -> str:
    """A file name for the notice attachment, e.g. 認証キー等のお知らせ_0000012345.pdf."""
    safe = "".join(c if c.isalnum() or c == "-" else "_" for c in contract.contract_number)
    return f"認証キー等のお知らせ_{safe}.pdf"


def warm_up(
    profile: Profile, background: bool = True, *, body_font: Path | None = None
) -> threading.Thread | None:
    """Load the fonts and draw the fixed text once now (about 0.6 s), so that the first
    notice a contractor asks for comes as fast as the rest (about 20 ms). ``body_font``
    must be the font the documents will use (HOSHO_PDF_FONT), or nothing is warmed.

    Front ends call this at start-up; ``background`` runs it in a daemon thread. A broken
    font is not reported here: the first real document raises DocumentError.
    """

    def run() -> None:
        from hosho.core.documents.certificate import render_certificate
        from hosho.core.documents.notice import render_notice
        from hosho.core.errors import HoshoError

        day = date(2025, 4, 1)
        contract = Contract(
            contract_number="0000000000", kind="前払金保証", contractor_id=0,
            orderer=profile.name, project_name="工事", work_type="工事",
            contract_date=day, contract_amount=0, guarantee_amount=0,
            period_start=day, period_end=day, auth_key="0000000000000000",
        )  # fmt: skip
        contractor = Contractor(customer_id="-", name="-", email="-")
        try:
            render_notice(contract, contractor, profile, issued=day, body_font=body_font)
            render_certificate(contract, contractor, profile, body_font=body_font)
        except HoshoError:
            pass

    if not background:
        run()
        return None
    thread = threading.Thread(target=run, name="hosho-documents-warm-up", daemon=True)
    thread.start()
    return thread
