# Two commands set everything up on a fresh machine (Python 3.11 or 3.12 and make; README: platforms):
#   make run    all four services on local ports and the gateway in front of them on :8080
#               (embedded PostgreSQL unless DATABASE_URL is set)
#   make test   ruff, mypy, import-linter and the whole pytest suite on real PostgreSQL
SHELL := /bin/bash
export UV_PYTHON_DOWNLOADS := never
export UV_PYTHON := python3

UV := $(shell command -v uv 2>/dev/null || echo .tools/bin/uv)

.PHONY: install firebase-tools gateway-tools run test lint typecheck imports pytest bench check-deploy check-standalone check-images clean

$(UV):
	python3 -m venv .tools
	.tools/bin/pip install --quiet "uv==0.13.*"

install: $(UV)
	$(UV) sync --all-packages --frozen

run: install
	@$(MAKE) --no-print-directory firebase-tools || echo "make run: the Firebase Auth emulator could not be installed:" \
		"it needs Node.js 20+ and npm (apt-get install nodejs npm, as root on Debian) to run 'npm ci' in tools/firebase;" \
		"without it sign-in needs a real Firebase project (IDENTITY_FIREBASE_PROJECT_ID, GOOGLE_APPLICATION_CREDENTIALS)"
	@$(MAKE) --no-print-directory gateway-tools || echo "(nginx could not be installed: no gateway, the services answer on their own ports)"
	$(UV) run --frozen python -m mlp.devtools.runner

lint: install
	$(UV) run --frozen ruff check .
	$(UV) run --frozen ruff format --check .

typecheck: install
	$(UV) run --frozen mypy libs/common/src libs/devtools/src services/*/src

imports: install
	$(UV) run --frozen lint-imports

# The Firebase Auth emulator for identity's tests (npm; node and npm from apt when missing).
firebase-tools:
	@if [ ! -d tools/firebase/node_modules ]; then \
		command -v npm >/dev/null || { apt-get update && apt-get install -y nodejs npm; }; \
		npm ci --no-audit --no-fund --ignore-scripts --prefix tools/firebase || { rm -rf tools/firebase/node_modules; exit 1; }; \
	fi

# nginx (Debian's, with auth_request) for the tests that go through the real gateway.
gateway-tools:
	@command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || \
		{ apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq nginx >/dev/null; }

pytest: install firebase-tools gateway-tools
	$(UV) run --frozen pytest

test: lint typecheck imports pytest

bench: install
	@for script in bench/bench_*.py; do echo "== $$script"; $(UV) run --frozen python $$script || exit 1; done

# Manifests (kubernetes-validate, in its own venv under .data/), nginx -t, the gateway smoke test;
# installs nginx (apt, as root) and kubernetes-validate when missing. About 10 s once installed.
check-deploy: $(UV)
	PATH="$(abspath $(dir $(UV))):$$PATH" bash deploy/check.sh

# Each service installed alone, exactly as its image installs it, then its migrate, serve (until
# /readyz is 200) and worker against PostgreSQL (127.0.0.1:5432 or TEST_DATABASE_URL). About 2 min.
check-standalone: install
	UV=$(UV) bash deploy/check_standalone.sh

# Each service's image built from deploy/docker/Dockerfile with podman (on a Debian base made with
# debootstrap, cached under .data/images/) and its migrate, serve and worker started from the
# image's filesystem. Root on Debian (installs podman and debootstrap); first run about 10 min.
check-images: install
	bash deploy/docker/check_images.sh

clean:
	rm -rf .venv .tools .data .mypy_cache .ruff_cache .pytest_cache
