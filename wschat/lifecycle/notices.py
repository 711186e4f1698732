"""The mails of the lifecycle, in German and English: what happened, what follows, and when."""

from __future__ import annotations

from datetime import datetime

from wschat.accounts.contract import Dates, Notice
from wschat.mail.models import Lang
from wschat.mail.render import Layout

_SUBJECTS: dict[Notice, dict[Lang, str]] = {
    Notice.DEMO_ENDS_SOON: {"en": "Your wsChat demo ends soon", "de": "Ihre wsChat-Demo endet bald"},
    Notice.DEMO_EXPIRED: {"en": "Your wsChat demo has ended", "de": "Ihre wsChat-Demo ist abgelaufen"},
    Notice.CONTRACT_ENDED: {"en": "Your wsChat contract has ended", "de": "Ihr wsChat-Vertrag ist beendet"},
    Notice.CHAT_DATA_DELETED: {
        "en": "Your wsChat chat data has been deleted",
        "de": "Ihre wsChat-Chatdaten wurden gelöscht",
    },
}

_TEXTS: dict[Notice, dict[Lang, tuple[str, ...]]] = {
    Notice.DEMO_ENDS_SOON: {
        "en": (
            "The demo of {tenant} ends on {demo_ends}. Then nobody can sign in any more and the chat no "
            "longer shows on your website.",
            "Unless a contract follows, every chat, visitor and account of the demo is deleted on {deleted}.",
        ),
        "de": (
            "Die Demo von {tenant} endet am {demo_ends}. Danach ist keine Anmeldung mehr möglich, und der "
            "Chat erscheint nicht mehr auf Ihrer Website.",
            "Wenn kein Vertrag folgt, werden alle Chats, Besucher und Zugänge der Demo am {deleted} "
            "gelöscht.",
        ),
    },
    Notice.DEMO_EXPIRED: {
        "en": (
            "The demo of {tenant} ended on {demo_ends}: access is locked and the chat is offline.",
            "Unless a contract follows, every chat, visitor and account of the demo is deleted on {deleted}.",
        ),
        "de": (
            "Die Demo von {tenant} ist am {demo_ends} abgelaufen: Der Zugang ist gesperrt, der Chat offline.",
            "Wenn kein Vertrag folgt, werden alle Chats, Besucher und Zugänge der Demo am {deleted} "
            "gelöscht.",
        ),
    },
    Notice.CONTRACT_ENDED: {
        "en": (
            "The contract of {tenant} ended on {ends}: access is locked and the chat is offline.",
            "The chat data is kept until {deleted} and then deleted; no export is possible after that day.",
        ),
        "de": (
            "Der Vertrag von {tenant} ist am {ends} beendet: Der Zugang ist gesperrt, der Chat offline.",
            "Die Chatdaten werden bis zum {deleted} aufbewahrt und dann gelöscht; danach ist kein Export "
            "mehr möglich.",
        ),
    },
    Notice.CHAT_DATA_DELETED: {
        "en": (
            "Every chat, visitor, e-mail and agent account of {tenant} has been deleted, as the retention "
            "rules of the contract require.",
        ),
        "de": (
            "Alle Chats, Besucher, E-Mails und Agentenzugänge von {tenant} wurden gelöscht, wie es die "
            "Aufbewahrungsregeln des Vertrags vorsehen.",
        ),
    },
}


_FOOTER: dict[Lang, str] = {
    "en": "This e-mail about your wsChat account was sent by the service's operator.",
    "de": "Diese E-Mail zu Ihrem wsChat-Zugang wurde vom Betreiber des Dienstes gesendet.",
}


def _day(moment: datetime | None, lang: Lang) -> str:
    if moment is None:
        return "-"
    return f"{moment:%d.%m.%Y}" if lang == "de" else f"{moment:%Y-%m-%d}"


def notice_mail(notice: Notice, tenant_name: str, dates: Dates, lang: Lang) -> tuple[str, Layout]:
    """The subject and body of one lifecycle notice; dates are days in UTC."""
    words = {
        "tenant": tenant_name,
        "demo_ends": _day(dates.demo_ends_at, lang),
        "ends": _day(dates.contract_ends_at, lang),
        "deleted": _day(dates.chat_data_deleted_at, lang),
    }
    subject = _SUBJECTS[notice][lang]
    paragraphs = tuple(p.format(**words) for p in _TEXTS[notice][lang])
    return subject, Layout(title=subject, paragraphs=paragraphs, footer=_FOOTER[lang])
