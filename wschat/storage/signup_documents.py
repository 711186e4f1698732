"""A pending sign-up as a document, the shape both adapters store (wschat/signup)."""

from __future__ import annotations

from dataclasses import asdict

from wschat.records import Document
from wschat.signup.models import Signup


def signup_doc(signup: Signup) -> Document:
    doc = asdict(signup)
    doc["_id"] = doc.pop("id")
    return doc


def signup_from(doc: Document) -> Signup:
    fields = {key: value for key, value in doc.items() if key != "_id"}
    return Signup(id=doc["_id"], **fields)
