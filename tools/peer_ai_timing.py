"""The AI-layer peer of `samplemind bench --ai`: LiteLLM's Router with its local
(in-memory) response cache, against the same OpenAI-compatible upstream our router uses in
the same run. Prints one JSON object on stdout.

  --phase hits   one call stores an answer, then N identical calls are timed (ms each)
  --phase burst  100 identical cold requests sent at once (the caller counts upstream calls)

With --redis URL, LiteLLM's Redis cache instead of its local one (issue 23, a studio's
shared cache; the `redis` package is in the venv):
  --phase store  N distinct questions asked once each: their answers land in Redis
  --phase hits   in a fresh process, the same N questions, each timed (ms each): every one a
                 hit that only Redis holds, as a second machine sees it
  --phase burst  as above; the caller runs several such processes at once

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


def router_for(url, redis_url=None):
    import litellm
    from litellm import Router
    from litellm.caching.caching import Cache

    litellm.telemetry = False
    litellm.suppress_debug_info = True
    if redis_url:
        from urllib.parse import urlparse

        u = urlparse(redis_url)
        litellm.cache = Cache(type="redis", host=u.hostname, port=str(u.port))
    else:
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


def question(i):
    return messages(f"Describe shared sample number {i}.")


def store(url, n, redis_url):
    litellm, router = router_for(url, redis_url)
    for i in range(n):
        router.completion(model="bench", messages=question(i), max_tokens=8, caching=True)
    return {"version": litellm_version()}


def hits(url, n, redis_url=None):
    litellm, router = router_for(url, redis_url)
    prompt = messages("Describe sample number 0.")
    if not redis_url:
        router.completion(model="bench", messages=prompt, max_tokens=8, caching=True)
    ms = []
    cached = 0
    for i in range(n):
        if redis_url:
            prompt = question(i)
        t = time.perf_counter()
        r = router.completion(model="bench", messages=prompt, max_tokens=8, caching=True)
        ms.append((time.perf_counter() - t) * 1000.0)
        if (getattr(r, "_hidden_params", None) or {}).get("cache_hit"):
            cached += 1
    return {"version": litellm_version(), "ms": ms, "cached": cached}


def burst(url, n, redis_url=None):
    litellm, router = router_for(url, redis_url)
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
    ap.add_argument("--phase", choices=["hits", "burst", "store"], required=True)
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--redis")
    a = ap.parse_args()
    if a.phase == "store":
        out = store(a.url, a.n, a.redis)
    elif a.phase == "hits":
        out = hits(a.url, a.n, a.redis)
    else:
        out = burst(a.url, a.n, a.redis)
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
