"""A case's attachments, opened for an officer who may read the case: casework checks the officer and that the
file is one of the case's, then fetches it from intake (which keeps every file) with its own key.

Only the types intake accepts come through (PDF, JPEG, PNG, as their bytes say), shown inline for a preview or
as a download, with a policy that lets them run nothing.
"""

from urllib.parse import quote

import httpx
from fastapi import HTTPException
from fastapi.responses import Response

from casework.settings import CaseworkSettings

SHOWN = frozenset({"application/pdf", "image/jpeg", "image/png"})


class Attachments:
    def __init__(self, settings: CaseworkSettings) -> None:
        self.base = settings.intake_url.rstrip("/")
        self.key = settings.intake_key.get_secret_value() if settings.intake_key else None

    async def open(self, case_id: str, ref: dict, *, download: bool) -> Response:
        """The file `ref` of the case, from intake; 503 saying why when intake cannot give it."""
        if self.key is None:
            raise HTTPException(503, "attachments cannot be opened: casework has no key at intake "
                                     "(TAWASUL_INTAKE_KEY)")
        url = f"{self.base}/api/v1/requests/{quote(case_id)}/attachments/{ref['sha256']}"
        try:
            async with httpx.AsyncClient(timeout=10) as client:
                answer = await client.get(url, headers={"X-Api-Key": self.key})
        except httpx.HTTPError as error:
            raise HTTPException(503, f"intake could not be reached for the attachment: {type(error).__name__}") \
                from None
        content_type = answer.headers.get("content-type", "").split(";")[0]
        if answer.status_code != 200 or content_type not in SHOWN:
            raise HTTPException(502 if answer.status_code != 404 else 404,
                                f"intake did not give the attachment ({answer.status_code})")
        disposition = "attachment" if download else "inline"
        return Response(answer.content, media_type=content_type, headers={
            "Content-Disposition": f"{disposition}; filename*=UTF-8''{quote(ref['name'], safe='')}",
            "X-Content-Type-Options": "nosniff",
            "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
                                       "frame-ancestors 'self'",
            "Cache-Control": "private, no-store",
            "X-Frame-Options": "SAMEORIGIN",  # the case page previews it in a frame
        })
