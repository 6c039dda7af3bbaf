"""The VAN/EveryAction adapter: `POST /people/{vanId}/canvassResponses`, the catalog calls, a check.

Auth is HTTP basic: the application name, and the API key with the database's suffix (`|0` MyVoters,
`|1` MyCampaign). The key is only ever in the Authorization header: no message built here includes it.
"""

from __future__ import annotations

from typing import Any

import httpx

from dialer.crm.catalog import Catalog, van_catalog
from dialer.crm.connection import VanMode
from dialer.crm.http_outcome import error_text, network_outcome, outcome_of
from dialer.crm.port import CrmError, Outcome
from dialer.crm.requests import Planned, Refuse, ResultEntry, van_request

PAGE = 200  # VAN's largest $top
MAX_PAGES = 50


class VanClient:
    def __init__(
        self,
        base_url: str,
        app_name: str,
        api_key: str,
        mode: VanMode,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: float = 10.0,
    ) -> None:
        self._http = httpx.AsyncClient(
            base_url=base_url.rstrip("/"),
            auth=httpx.BasicAuth(app_name, api_key + mode.suffix),
            headers={"Accept": "application/json", "User-Agent": "dialer-crm-sync"},
            timeout=timeout,
            transport=transport,
        )

    async def aclose(self) -> None:
        await self._http.aclose()

    async def _get(self, path: str, params: dict[str, Any] | None = None) -> Any:
        try:
            response = await self._http.get(path, params=params)
        except httpx.HTTPError as exc:
            raise CrmError(f"VAN did not answer ({type(exc).__name__})") from None
        if not response.is_success:
            raise CrmError(f"VAN refused {path}: {error_text(response)}")
        try:
            return response.json()
        except ValueError:
            raise CrmError(f"VAN answered {path} with something that is not JSON") from None

    async def _items(self, path: str) -> list[dict[str, Any]]:
        """Every item of a paged list (`items`, `nextPageLink`), active ones only."""
        out: list[dict[str, Any]] = []
        params: dict[str, Any] | None = {"$top": PAGE, "statuses": "Active"}
        url = path
        for _ in range(MAX_PAGES):
            page = await self._get(url, params)
            if not isinstance(page, dict) or not isinstance(page.get("items"), list):
                raise CrmError(f"VAN answered {path} without a list of items")
            out.extend(item for item in page["items"] if isinstance(item, dict))
            following = page.get("nextPageLink")
            if not following:
                break
            url, params = str(following), None
        return out

    async def check(self) -> str:
        echo = await self._post_json("/echoes", {"message": "dialer connection check"})
        if not isinstance(echo, dict) or echo.get("message") != "dialer connection check":
            raise CrmError("VAN answered the check, but not with what was sent")
        return "VAN accepted the application name and key"

    async def _post_json(self, path: str, body: dict[str, Any]) -> Any:
        try:
            response = await self._http.post(path, json=body)
        except httpx.HTTPError as exc:
            raise CrmError(f"VAN did not answer ({type(exc).__name__})") from None
        if not response.is_success:
            raise CrmError(error_text(response))
        return response.json() if response.content else None

    async def catalog(self) -> Catalog:
        questions = await self._items("/surveyQuestions")
        codes = await self._get("/canvassResponses/resultCodes")
        if not isinstance(codes, list):
            raise CrmError("VAN answered /canvassResponses/resultCodes without a list")
        activist = await self._items("/activistCodes")
        try:
            return van_catalog(questions, [c for c in codes if isinstance(c, dict)], activist)
        except (KeyError, TypeError, ValueError):
            raise CrmError("VAN's survey questions or codes are not in the documented shape") from None

    async def send(self, planned: Planned, entry: ResultEntry) -> Outcome | Refuse:
        request = van_request(planned, entry)
        if isinstance(request, Refuse):
            return request
        path, body = request
        try:
            response = await self._http.post(path, json=body)
        except httpx.HTTPError as exc:
            return network_outcome(exc)
        return outcome_of(response)
