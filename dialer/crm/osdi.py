"""The OSDI adapter: the record canvass helper, and questions and tags for the mapping page.

Auth is the `OSDI-API-Token` header. OSDI names questions by their URL (`_links.self.href`) and their
responses by `key`; tags (our "activist codes" column) by name. OSDI has no list of result codes: ours
are offered as `status_code`s.
"""

from __future__ import annotations

from typing import Any

import httpx

from dialer.crm.catalog import Catalog, Option, SurveyQuestion
from dialer.crm.destinations import DestinationRefused
from dialer.crm.http_outcome import error_text, network_outcome, outcome_of
from dialer.crm.port import CrmError, Outcome, OutcomeKind
from dialer.crm.requests import Planned, Refuse, ResultEntry, osdi_request
from dialer.models import ResultCode

MAX_PAGES = 50


class OsdiClient:
    def __init__(
        self, base_url: str, token: str, *, transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:  # fmt: skip
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            headers={"OSDI-API-Token": token, "Content-Type": "application/hal+json"},
            timeout=timeout,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _embedded(self, path: str, name: str) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        url = path
        for _ in range(MAX_PAGES):
            try:
                response = await self._http.get(url)
            except DestinationRefused as exc:
                raise CrmError(str(exc)) from None
            except httpx.HTTPError as exc:
                raise CrmError(f"the OSDI server did not answer ({type(exc).__name__})") from None
            if not response.is_success:
                raise CrmError(f"the OSDI server refused {path}: {error_text(response)}")
            try:
                page = response.json()
                out.extend(page.get("_embedded", {}).get(name, []))
                url = page.get("_links", {}).get("next", {}).get("href")
            except (ValueError, AttributeError):
                raise CrmError(f"the OSDI server answered {path} in another shape") from None
            if not url:
                break
        return out

    async def check(self) -> str:
        await self._embedded("/questions", "osdi:questions")
        return "the OSDI server accepted the token"

    async def catalog(self) -> Catalog:
        try:
            questions = tuple(
                SurveyQuestion(
                    str(q["_links"]["self"]["href"]),
                    str(q.get("title") or q.get("name") or ""),
                    str(q.get("description") or ""),
                    tuple(
                        Option(str(r["key"]), str(r.get("title") or r.get("name") or r["key"]))
                        for r in q.get("responses") or ()
                    ),
                )
                for q in await self._embedded("/questions", "osdi:questions")
            )
            tags = tuple(
                Option(str(t["name"]), str(t["name"])) for t in await self._embedded("/tags", "osdi:tags")
            )
        except (KeyError, TypeError):
            raise CrmError("the OSDI server's questions or tags are not in OSDI's shape") from None
        codes = tuple(Option(c.value, c.value.replace("_", " ")) for c in ResultCode)
        return Catalog(questions, codes, tags)

    async def send(self, planned: Planned, entry: ResultEntry) -> Outcome | Refuse:
        path, body = osdi_request(planned, entry)
        try:
            response = await self._http.post(path, json=body)
        except DestinationRefused as exc:  # kept until the operator or the organizer changes the address
            return Outcome(OutcomeKind.RETRY, str(exc))
        except httpx.HTTPError as exc:
            return network_outcome(exc)
        return outcome_of(response)
