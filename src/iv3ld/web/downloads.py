"""Placeholder router, filled in by the work on the web layer."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
