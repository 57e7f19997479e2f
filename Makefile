VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml | sha1sum | cut -c1-12)

.PHONY: run test browser bench schemas clean

$(PY):
	python3 -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install -q -e '.[embedded,test]'
	rm -f $(VENV)/.installed-* && touch $@

run: $(STAMP)
	$(VENV)/bin/tawasul up

test: $(STAMP) browser
	$(PY) -m pytest -q

# The browser tests drive Debian's Chromium (never a downloaded one) and need Noto's Arabic glyphs: installed here
# when missing and this is root with apt; otherwise those tests fail saying how to install them (TAWASUL_CHROMIUM
# names another Chromium). Never fails make.
browser:
	@if { [ ! -x /usr/bin/chromium ] || [ ! -e /usr/share/fonts/truetype/noto/NotoSansArabic-Regular.ttf ]; } \
		&& command -v apt-get >/dev/null && [ "$$(id -u)" = 0 ]; then \
		echo "installing chromium and fonts-noto-core for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
			chromium fonts-noto-core || echo "could not install chromium; the browser tests will fail"; \
	fi

# The whole system as `make run` starts it, with the `eventsourcing` peer of the `bench` extra; SOAK=1 measures
# again once the stores hold a million events. Then the officers' pages with 100,000 cases.
bench: $(STAMP)
	$(PY) -m pip install -q -e '.[embedded,test,bench]'
	$(PY) -m bench $(if $(SOAK),--soak 1000000)
	$(PY) -m bench.pages

schemas: $(STAMP)
	$(VENV)/bin/tawasul schemas

clean:
	rm -rf .tawasul
