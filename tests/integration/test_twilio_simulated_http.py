"""The simulated carrier over real HTTP: a loopback uvicorn server checks every signature.

Real sockets matter here: the query string our callback URLs carry must reach the route byte for byte,
or signatures made over PUBLIC_URL + path + query would not validate.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import uvicorn

from dialer.settings import Settings
from dialer.telephony.base import CallStatus, MachineDetection, PlaceCall
from dialer.telephony.forms import amd_callback_url, status_callback_url
from dialer.telephony.simulated import SimulatedCarrier
from dialer.telephony.simulated_plan import SimProfile
from tests.unit.test_telephony_simulated import Webhooks


@pytest.fixture
async def server(tmp_path: Path) -> AsyncIterator[tuple[Settings, Webhooks]]:
    settings = Settings(data_dir=tmp_path, secret_key="loopback-secret")
    hooks = Webhooks(SimulatedCarrier(settings))
    config = uvicorn.Config(hooks.app(), host="127.0.0.1", port=0, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    port = server.servers[0].sockets[0].getsockname()[1]
    settings = settings.with_port(port)  # base_url http://127.0.0.1:<port>, as with PUBLIC_URL unset
    hooks.carrier = SimulatedCarrier(settings)
    try:
        yield settings, hooks
    finally:
        server.should_exit = True
        await task


@pytest.mark.anyio
async def test_simulated_callbacks_validate_over_real_http(server: tuple[Settings, Webhooks]) -> None:
    settings, hooks = server
    profile = SimProfile(
        human_rate=0.4, machine_rate=0.3, busy_rate=0.1, fail_rate=0.1, late_rate=0.2, repeat_rate=0.2
    )
    carrier = SimulatedCarrier(settings, profile=profile, speed=500.0, seed=5)
    try:
        base = settings.base_url
        sids = []
        for i in range(12):
            contact = f"k {i}&x"  # needs percent-encoding in the query
            call = PlaceCall(
                "+12025550142",
                "+13125550101",
                status_callback_url(base, "gotv", contact),
                twiml="<Response><Pause length='1'/></Response>",
                machine_detection=MachineDetection.DETECT_MESSAGE_END,
                async_amd=True,
                amd_status_callback=amd_callback_url(base, "gotv", contact),
                timeout=20,
            )
            sids.append(await carrier.place_call(call))
        await asyncio.wait_for(carrier.drain(), timeout=30)
    finally:
        await carrier.aclose()
    assert hooks.rejected == 0
    assert len(carrier.deliveries) > 12 * 2 and {d.status_code for d in carrier.deliveries} == {204}
    finals = {e.call_sid for e in hooks.events if e.status is not None and e.status.is_final}
    assert finals == set(sids)
    assert {e.contact_id for e in hooks.events} == {f"k {i}&x" for i in range(12)}
    assert any(e.status is CallStatus.IN_PROGRESS for e in hooks.events)
