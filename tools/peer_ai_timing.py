"""The AI-layer peer of `samplemind bench --ai`: LiteLLM's Router with its local
(in-memory) response cache, against the same OpenAI-compatible upstream our router uses in
the same run. Prints one JSON object on stdout.

  --phase hits   one call stores an answer, then N identical calls are timed (ms each)
  --phase burst  100 identical cold requests sent at once (the caller counts upstream calls)

Run by src/bench_ai.rs with the venv scripts/fetch-peers.sh makes; not a test.
"""

import argparse
import asyncio
import json
import os
import sys
import time

# The model price map is bundled with the package; never fetch it from the network.
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
os.environ.setdefault("LITELLM_TELEMETRY", "False")


def router_for(url):
    import litellm
    from litellm import Router
    from litellm.caching.caching import Cache

    litellm.telemetry = False
    litellm.suppress_debug_info = True
    litellm.cache = Cache(type="local")
    router = Router(
        model_list=[
            {
                "model_name": "bench",
                "litellm_params": {
                    "model": "openai/bench",
                    "api_base": url.rstrip("/") + "/v1",
                    "api_key": "not-needed",
                },
            }
        ],
        cache_responses=True,
        num_retries=0,
    )
    return litellm, router


def messages(text):
    return [{"role": "user", "content": text}]


def hits(url, n):
    litellm, router = router_for(url)
    prompt = messages("Describe sample number 0.")
    router.completion(model="bench", messages=prompt, max_tokens=8, caching=True)
    ms = []
    cached = 0
    for _ in range(n):
        t = time.perf_counter()
        r = router.completion(model="bench", messages=prompt, max_tokens=8, caching=True)
        ms.append((time.perf_counter() - t) * 1000.0)
        if (getattr(r, "_hidden_params", None) or {}).get("cache_hit"):
            cached += 1
    return {"version": litellm_version(), "ms": ms, "cached": cached}


def burst(url, n):
    litellm, router = router_for(url)
    prompt = messages("Describe sample number 1.")

    async def all_at_once():
        return await asyncio.gather(
            *[
                router.acompletion(
                    model="bench", messages=prompt, max_tokens=8, caching=True
                )
                for _ in range(n)
            ],
            return_exceptions=True,
        )

    answers = asyncio.run(all_at_once())
    failed = [repr(a) for a in answers if isinstance(a, BaseException)]
    return {"version": litellm_version(), "sent": n, "failed": failed[:3]}


def litellm_version():
    from importlib.metadata import version

    return version("litellm")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--url", required=True)
    ap.add_argument("--phase", choices=["hits", "burst"], required=True)
    ap.add_argument("-n", type=int, default=1000)
    a = ap.parse_args()
    out = hits(a.url, a.n) if a.phase == "hits" else burst(a.url, a.n)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
