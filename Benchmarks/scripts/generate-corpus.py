#!/usr/bin/env python3
"""Writes a deterministic synthetic Hugging Face Space log of a requested size.

A realistic mix, seeded so every run gives the same bytes: Docker/BuildKit build steps with raw
pip and apt output, app start-up banners, Gradio and uvicorn lines, tqdm progress bars,
warnings, Python tracebacks, and about 0.1 % failure lines taken from the platform's real
wordings (those of the Corpus logs).

usage: generate-corpus.py SIZE_MB OUTPUT [--seed N] [--failure-percent P]

--failure-percent P: about P % of lines are failure lines instead of 0.1 % (a log where many
lines are of interest); without it the output is the same as ever.
"""
import random
import sys

FAILURES = [
    "ERROR: No matching distribution found for torch==2.9.9",
    "ERROR: ResolutionImpossible: for help visit https://pip.pypa.io/en/latest/topics/dependency-resolution/#dealing-with-dependency-conflicts",
    "RuntimeError: No CUDA GPUs are available",
    "ModuleNotFoundError: No module named 'einops'",
    "torch.OutOfMemoryError: CUDA out of memory. Tried to allocate 2.00 GiB. GPU 0 has a total capacity of 14.75 GiB",
    "Memory limit exceeded (32Gi)",
    "Scheduling failure: not enough hardware capacity",
    "Launch timed out, workload was not healthy after 30 min",
    "gradio.exceptions.Error: 'ZeroGPU worker error'",
    "2026-05-02 11:04:19,551 - launcher - ERROR - CUDA has been initialized before importing the `spaces` package. Try importing `spaces` before any other CUDA-related package.",
    '--> ERROR: process "/bin/sh -c pip install --no-cache-dir -r requirements.txt" did not complete successfully: exit code: 1',
    "Job failed with exit code: 137. Reason: OOMKilled",
]

PACKAGES = ["torch", "transformers", "accelerate", "diffusers", "gradio", "numpy", "scipy", "pillow",
            "safetensors", "huggingface-hub", "tokenizers", "sentencepiece", "einops", "xformers",
            "opencv-python-headless", "librosa", "soundfile", "fastapi", "uvicorn", "pydantic"]


def version(rng):
    return f"{rng.randint(0, 4)}.{rng.randint(0, 40)}.{rng.randint(0, 9)}"


def build_block(rng, out):
    out.append(f"===== Build Queued at 2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 0{rng.randint(0, 9)}:{rng.randint(10, 59)}:{rng.randint(10, 59)} / Commit SHA: {rng.getrandbits(28):07x} =====")
    out.append("")
    out.append(f"--> FROM docker.io/library/python:3.10@sha256:{rng.getrandbits(256):064x}")
    out.append("DONE 0.0s")
    out.append("")
    out.append("--> RUN --mount=target=/tmp/requirements.txt,source=requirements.txt pip install --no-cache-dir -r /tmp/requirements.txt gradio[oauth]==5.49.1 \"uvicorn>=0.14.0\" spaces")
    for _ in range(rng.randint(20, 80)):
        package = rng.choice(PACKAGES)
        kind = rng.random()
        if kind < 0.35:
            out.append(f"Collecting {package}=={version(rng)}")
        elif kind < 0.7:
            size = rng.uniform(0.1, 900)
            out.append(f"  Downloading {package.replace('-', '_')}-{version(rng)}-cp310-cp310-manylinux_2_17_x86_64.whl ({size:.1f} MB)")
            out.append(f"     ━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━ {size:.1f}/{size:.1f} MB {rng.uniform(10, 300):.1f} MB/s eta 0:00:00")
        elif kind < 0.85:
            out.append(f"Requirement already satisfied: {package}>={version(rng)} in /usr/local/lib/python3.10/site-packages (from -r /tmp/requirements.txt (line {rng.randint(1, 30)})) ({version(rng)})")
        else:
            out.append(f"Building wheel for {package} (pyproject.toml): started")
            out.append(f"Building wheel for {package} (pyproject.toml): finished with status 'done'")
    out.append("Installing collected packages: " + ", ".join(rng.sample(PACKAGES, 8)))
    out.append("Successfully installed " + " ".join(f"{p}-{version(rng)}" for p in rng.sample(PACKAGES, 10)))
    out.append("DONE 94.3s")
    out.append("")
    out.append("--> COPY --link --chown=1000 ./ /home/user/app")
    out.append("DONE 0.1s")
    out.append("")
    out.append("--> Pushing image")
    out.append("DONE 12.4s")
    out.append("")
    out.append("--> Exporting cache")
    out.append("DONE 1.2s")


def run_block(rng, out):
    out.append(f"===== Application Startup at 2026-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 1{rng.randint(0, 9)}:{rng.randint(10, 59)}:{rng.randint(10, 59)} =====")
    out.append("")
    for _ in range(rng.randint(50, 400)):
        kind = rng.random()
        if kind < 0.3:
            out.append(f'INFO:     10.16.{rng.randint(0, 255)}.{rng.randint(0, 255)}:{rng.randint(1000, 65000)} - "{rng.choice(["GET", "POST"])} /gradio_api/{rng.choice(["queue/join", "queue/data", "info", "heartbeat"])}?session_hash={rng.getrandbits(40):010x} HTTP/1.1" 200 OK')
        elif kind < 0.5:
            pct = rng.randint(0, 100)
            out.append(f"Loading checkpoint shards: {pct:3d}%|{'█' * (pct // 10)}{' ' * (10 - pct // 10)}| {pct // 25}/4 [00:{rng.randint(10, 59)}<00:{rng.randint(10, 59)},  {rng.uniform(1, 9):.2f}s/it]")
        elif kind < 0.65:
            out.append(f"{rng.uniform(0, 100):5.1f}%|{'█' * rng.randint(0, 20)}| {rng.randint(0, 50)}/50 [00:{rng.randint(10, 59)}<00:{rng.randint(10, 59)}, {rng.uniform(1, 20):.2f}it/s]")
        elif kind < 0.75:
            out.append(f"/usr/local/lib/python3.10/site-packages/transformers/utils/generic.py:{rng.randint(100, 999)}: FutureWarning: `torch.utils._pytree._register_pytree_node` is deprecated. Please use `torch.utils._pytree.register_pytree_node` instead.")
        elif kind < 0.8:
            out.append("Traceback (most recent call last):")
            for depth in range(rng.randint(2, 6)):
                out.append(f'  File "/usr/local/lib/python3.10/site-packages/gradio/queueing.py", line {rng.randint(100, 900)}, in call_prediction')
                out.append("    output = await route_utils.call_process_api(")
            out.append(f"ValueError: expected a prompt of at most 77 tokens, got {rng.randint(78, 400)}")
        elif kind < 0.9:
            out.append(f"[{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}] step {rng.randint(1, 5000)} loss={rng.uniform(0, 3):.4f} lr={rng.uniform(0, 1e-3):.2e} seed={rng.getrandbits(31)}")
        else:
            out.append(f"Keyword arguments {{'trust_remote_code': True}} are not expected by StableDiffusionXLPipeline and will be ignored.")
    out.append("* Running on local URL:  http://0.0.0.0:7860")
    out.append("Examples cached for 3 inputs.")


def main():
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    target = int(float(sys.argv[1]) * 1024 * 1024)
    path = sys.argv[2]
    seed = int(sys.argv[sys.argv.index("--seed") + 1]) if "--seed" in sys.argv else 1234
    percent = float(sys.argv[sys.argv.index("--failure-percent") + 1]) if "--failure-percent" in sys.argv else None
    rng = random.Random(seed)
    written = 0
    lines_total = 0
    with open(path, "w", encoding="utf-8", newline="\n") as handle:
        while written < target:
            out = []
            (build_block if rng.random() < 0.3 else run_block)(rng, out)
            # About 0.1 % of lines are failures (or the requested share).
            if percent is None:
                failures = len(out) // 1000 + (1 if rng.random() < (len(out) % 1000) / 1000 else 0)
            else:
                # n failures among len(out) + n lines make `percent` % of them.
                expected = len(out) * percent / (100 - percent)
                failures = int(expected) + (1 if rng.random() < expected - int(expected) else 0)
            for _ in range(failures):
                out.insert(rng.randrange(len(out)), rng.choice(FAILURES))
            text = "\n".join(out) + "\n"
            data = text.encode("utf-8")
            if written + len(data) > target:
                data = data[: target - written]
                cut = data.rfind(b"\n")
                data = data[: cut + 1] if cut >= 0 else b""
                if not data:
                    break
                text = data.decode("utf-8", errors="ignore")
            handle.write(text)
            written += len(data)
            lines_total += text.count("\n")
    print(f"{path}: {written} bytes, {lines_total} lines, seed {seed}", file=sys.stderr)


if __name__ == "__main__":
    main()
