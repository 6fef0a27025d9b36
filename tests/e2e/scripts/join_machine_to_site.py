"""Join a server machine to an existing ArcGIS Server site, then start it - the flow of seed 003, written for
Python 3 with the standard library only (urllib.request, ssl, json), as an administrator's script would be.

    python join_machine_to_site.py --site https://host1:6443/arcgis/admin --joining https://host2:6443/arcgis/admin \\
        --machine HOST2 --username admin --cafile ca.pem      (password: $ARCGIS_PASSWORD or a prompt)

Every step posts a form and checks that the JSON answer is not the Server error envelope
(`{"status": "error", ...}`). The administrative token comes from the site's machine and is only ever sent back
to that machine: an administrative token is valid only on the machine that issued it.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import ssl
import sys
import urllib.parse
import urllib.request


class StepFailed(Exception):
    pass


def post(url: str, form: dict[str, str], context: ssl.SSLContext | None) -> dict[str, object]:
    """POST a form (f=json) and return the JSON answer; raise StepFailed on HTTP or ArcGIS errors."""
    body = urllib.parse.urlencode({**form, "f": "json"}).encode("utf-8")
    request = urllib.request.Request(
        url, data=body, method="POST", headers={"Content-Type": "application/x-www-form-urlencoded"}
    )
    with urllib.request.urlopen(request, context=context, timeout=30) as response:
        if response.status != 200:
            raise StepFailed(f"HTTP {response.status} from {url}")
        answer = json.loads(response.read().decode("utf-8"))
    if not isinstance(answer, dict):
        raise StepFailed(f"unexpected answer from {url}: {answer!r}")
    if answer.get("status") == "error":
        raise StepFailed(f"error returned by {url}: {answer}")
    return answer


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--site", required=True, help="Administrator Directory URL of a machine already in the site")
    parser.add_argument("--joining", required=True, help="Administrator Directory URL of the machine to join")
    parser.add_argument("--machine", required=True, help="the joining machine's name in the site")
    parser.add_argument("--username", required=True)
    parser.add_argument("--cafile", default=None, help="CA certificate to trust (HTTPS)")
    args = parser.parse_args(argv)
    password = os.environ.get("ARCGIS_PASSWORD") or getpass.getpass("Site administrator password: ")
    context = ssl.create_default_context(cafile=args.cafile) if args.cafile else None
    site = args.site.rstrip("/")
    try:
        print("1. Getting an administrative token from", site)
        token = post(f"{site}/generateToken",
                     {"username": args.username, "password": password, "client": "requestip"}, context)["token"]
        if not isinstance(token, str) or not token:
            raise StepFailed("the answer carries no token")
        print("   Success.")
        print("2. Joining", args.joining, "to the site")
        post(f"{args.joining.rstrip('/')}/joinSite",
             {"username": args.username, "password": password, "adminURL": site}, context)
        print("   Success.")
        print("3. Starting", args.machine, "(asked of the machine that issued the token)")
        machine = urllib.parse.quote(args.machine, safe="")
        answer = post(f"{site}/machines/{machine}/start", {"token": token}, context)
        if answer.get("status") != "success":
            raise StepFailed(f"unexpected answer: {answer}")
        print("   Success.")
    except StepFailed as failure:
        print(f"   Failed: {failure}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
