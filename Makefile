# Install Tributary as a systemd service. Run `make install` as root after `scripts/build-release.sh`.
PREFIX ?= /usr/local
CONFDIR ?= /etc/tributary
STATEDIR ?= /var/lib/tributary

.PHONY: build install test

build:
	scripts/build-release.sh

test:
	scripts/test.sh

install: build
	install -D -m 0755 .build/release/tributary $(DESTDIR)$(PREFIX)/bin/tributary
	install -D -m 0644 systemd/tributary.service $(DESTDIR)/etc/systemd/system/tributary.service
	install -D -m 0644 systemd/tributary.socket $(DESTDIR)/etc/systemd/system/tributary.socket
	install -D -m 0644 README.md $(DESTDIR)$(PREFIX)/share/doc/tributary/README.md
	@if [ ! -e $(DESTDIR)$(CONFDIR)/feeds.toml ]; then \
		install -d $(DESTDIR)$(CONFDIR); \
		sed 's#"state/#"$(STATEDIR)/#' feeds.toml > $(DESTDIR)$(CONFDIR)/feeds.toml; \
		echo "wrote $(CONFDIR)/feeds.toml (state in $(STATEDIR))"; \
	else echo "kept existing $(CONFDIR)/feeds.toml"; fi
	@echo "now: systemctl daemon-reload && systemctl enable --now tributary"
