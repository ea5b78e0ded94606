"""OPTIONS lists every method of a path, also those registered after the path's first handler."""

from __future__ import annotations

import uuid

from litestar import Litestar, get, put
from litestar.params import FromPath
from litestar.testing import AsyncTestClient

from mlp.common.runtime.options_allow import answer_options


@put("/v1/things/{thing_id:uuid}")
async def replace_thing(thing_id: FromPath[uuid.UUID]) -> None:
    return None


@get("/v1/things/{thing_id:uuid}")
async def read_thing(thing_id: FromPath[uuid.UUID]) -> str:
    return "thing"


async def test_allow_names_the_methods_of_every_handler_of_the_path() -> None:
    async with AsyncTestClient(Litestar([replace_thing, read_thing], before_request=answer_options)) as client:
        answer = await client.options(f"/v1/things/{uuid.uuid4()}")
        assert (answer.status_code, answer.headers["allow"]) == (204, "GET, OPTIONS, PUT")
        assert (await client.get(f"/v1/things/{uuid.uuid4()}")).text == "thing"


async def test_without_it_litestar_lists_only_the_first_handler() -> None:
    async with AsyncTestClient(Litestar([replace_thing, read_thing])) as client:
        assert (await client.options(f"/v1/things/{uuid.uuid4()}")).headers["allow"] == "OPTIONS, PUT"
