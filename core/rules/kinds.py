"""保証の種類 (kinds of guarantee) and 業務の種類 (work types) that hosho knows.

Only the kinds with an electronic certificate (電子証書) can be delivered electronically:
前払金保証 (advance payment), 中間前払金保証 (intermediate advance payment) and 契約保証
(performance). 契約保証予約 (a reservation of a performance surety) is always on paper.
"""

from __future__ import annotations

#: The title of each electronic kind's 保証証書 (certificate).
CERTIFICATE_TITLES = {
    "前払金保証": "前払金保証証書",
    "中間前払金保証": "中間前払金保証証書",
    "契約保証": "契約保証証書",
}
#: The kinds that can be delivered electronically: exactly those with a certificate title.
ELECTRONIC_KINDS = tuple(CERTIFICATE_TITLES)
#: Every kind a contract can have (a contract CSV row names one of these).
KINDS = (*ELECTRONIC_KINDS, "契約保証予約")
#: 業務の種類 (work types).
WORK_TYPES = ("工事", "建設コンサルタント業務")


def certificate_title(kind: str) -> str:
    """The title of the certificate of this kind of guarantee (KeyError for 契約保証予約)."""
    return CERTIFICATE_TITLES[kind]
