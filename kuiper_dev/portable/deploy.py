"""Install a portable plugin on a running eKuiper over its REST API.

The server must read the zip itself, so it goes up first as an upload
(``POST /config/uploads``, the file in the multipart field ``uploadFile``; the
answer is the path the server saved it to). Then ``POST /plugins/portables`` with
``{"name", "file": "file://PATH"}`` creates the plugin, or ``PUT
/plugins/portables/{name}`` updates one that exists, as eKuiper's docs describe.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import PortableError
from .package import open_portable

if TYPE_CHECKING:
    import httpx

__all__ = ["Deployed", "deploy"]


@dataclass(frozen=True, slots=True)
class Deployed:
    """What the server answered: the plugin, whether it existed, its own words."""

    name: str
    updated: bool
    status: int
    answer: str


def deploy(
    zip_path: Path | str, server: str, *, token: str | None = None, timeout: float = 60.0
) -> Deployed:
    """Upload ``zip_path`` (a checked portable plugin zip) to ``server`` and install it."""
    import httpx  # here, not at import: it (and rich) cost every kuiper_dev start ~0.2 s

    zip_path = Path(zip_path)
    with open_portable(zip_path) as folder:  # refuse a bad package before sending it
        name = folder.manifest.name
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    base = server.rstrip("/")
    try:
        with httpx.Client(base_url=base, headers=headers, timeout=timeout) as client:
            with open(zip_path, "rb") as f:
                up = client.post(
                    "/config/uploads", files={"uploadFile": (zip_path.name, f, "application/zip")}
                )
            _check(up, f"upload {zip_path.name}", base)
            body = {"name": name, "file": f"file://{up.text.strip()}"}
            created = client.post("/plugins/portables", json=body)
            if created.is_success:
                return Deployed(name, False, created.status_code, created.text.strip())
            updated = client.put(f"/plugins/portables/{name}", json=body)
            if updated.is_success:
                return Deployed(name, True, updated.status_code, updated.text.strip())
            raise PortableError(
                f"install portable plugin {name} on {base}: creating it answered "
                f"{created.status_code} {created.text.strip()[:300]!r}, updating it answered "
                f"{updated.status_code} {updated.text.strip()[:300]!r}"
            )
    except httpx.HTTPError as exc:
        raise PortableError(
            f"deploy to {base}: {exc}; check the URL and that eKuiper's REST API listens there"
        ) from exc


def _check(response: httpx.Response, what: str, base: str) -> None:
    if response.is_success:
        return
    raise PortableError(
        f"{what} on {base}: the server answered {response.status_code}: "
        f"{response.text.strip()[:500]}"
    )
