#!/usr/bin/env python3
"""Drives the admin web UI (/admin) of the real `switchboard` binary in Debian's headless
Chromium (Selenium with the Debian chromedriver), the way an operator would:

  log in (a wrong token first), see the overview with seeded data, filter the responses and
  download the CSV, assign a phone from the review queue and see the capture rate change,
  watch a webhook's message appear on the live monitor within a second (Integrity), dismiss a
  subject, retry a dead job and replay its webhook, log out.

The server runs with a throwaway SQLite database and a config enabling MetaFlow (and
Integrity when `switchboard plugins` lists it); data is seeded through signed Cloud API
webhooks, exactly as Meta would send them. A screenshot of each page is written to the
screenshots directory (printed at the end). Exit 0 when every step passed.

usage: admin_ui_test.py SWITCHBOARD_BINARY SCREENSHOT_DIR
"""
import hashlib
import hmac
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select, WebDriverWait

ADMIN_TOKEN = "browser-test-admin-token-0123456789"
APP_SECRET = "browser-test-app-secret"
CLOUDTALK_TOKEN = "browser-test-cloudtalk-token"
STEPS = []


def step(name):
    """Runs the decorated function as a named step, recording it."""
    def run(fn):
        started = time.monotonic()
        fn()
        STEPS.append(name)
        print(f"  ok  {name} ({time.monotonic() - started:.1f}s)", flush=True)
        return fn
    return run


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """The real binary, with its own config and database in a temporary directory."""

    def __init__(self, binary, workdir):
        self.binary = binary
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        empty = os.path.join(workdir, "empty.json")
        with open(empty, "w") as f:
            f.write("{}")
        listed = subprocess.run([binary, "plugins", "--config", empty], capture_output=True, text=True).stdout
        self.integrity = "integrity" in listed.split()
        plugins = {
            "metaflow": {"enabled": True, "config": {
                "app_secret": APP_SECRET, "verify_token": "browser-test-verify",
                "default_flow": "survey",
                "flows": {"survey": {"first_screen": "RATE", "screens": {"RATE": {}}}},
            }},
        }
        if self.integrity:
            plugins["integrity"] = {"enabled": True, "config": {}}
        # CloudTalk for its admin panel (a call list); no API key, so no enrichment or follow-up.
        self.cloudtalk = "cloudtalk" in listed.split()
        if self.cloudtalk:
            plugins["cloudtalk"] = {"enabled": True, "config": {"webhook_token": CLOUDTALK_TOKEN}}
        config = {
            "server": {"host": "127.0.0.1", "port": self.port},
            "storage": {"url": f"sqlite:{workdir}/switchboard.db"},
            "log": {"level": "warning"},
            "admin": {"token": ADMIN_TOKEN},
            # One quick retry: answers without a phone reach the review queue in about a second.
            "phone": {"default_region": "MA", "retry_schedule": ["1s"]},
            "plugins": plugins,
        }
        self.config_path = os.path.join(workdir, "plugins.json")
        with open(self.config_path, "w") as f:
            json.dump(config, f)
        self.log = open(os.path.join(workdir, "server.log"), "w")
        self.process = subprocess.Popen([binary, "serve", "--config", self.config_path], stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            check(self.process.poll() is None, f"the server exited: {open(self.log.name).read()[-2000:]}")
            try:
                with urllib.request.urlopen(self.base + "/readyz", timeout=1) as answer:
                    if answer.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, OSError):
                pass
            time.sleep(0.1)
        raise Failure("the server did not become ready within 30 s")

    def serves(self, path):
        """Whether an admin GET route exists (a compiled-in plugin may not implement it yet)."""
        return self.request("GET", path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})[0] != 404

    def stop(self):
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log.close()

    def request(self, method, path, body=None, headers=None):
        data = body if isinstance(body, (bytes, type(None))) else json.dumps(body).encode()
        request = urllib.request.Request(self.base + path, data=data, method=method, headers=headers or {})
        try:
            with urllib.request.urlopen(request, timeout=10) as answer:
                return answer.status, answer.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def admin(self, path):
        status, body = self.request("GET", path, headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        check(status == 200, f"GET {path}: {status} {body[:300]!r}")
        return json.loads(body)

    def webhook(self, payload, signed=True):
        body = json.dumps(payload).encode()
        signature = hmac.new(APP_SECRET.encode() if signed else b"wrong", body, hashlib.sha256).hexdigest()
        status, answer = self.request("POST", "/metaflow/webhook", body,
                                      {"Content-Type": "application/json", "X-Hub-Signature-256": "sha256=" + signature})
        check(status == (200 if signed else 401), f"webhook answered {status}: {answer[:300]!r}")


def cloud_message(message, contact):
    return {"object": "whatsapp_business_account", "entry": [{"id": "112233445566778", "changes": [{"field": "messages", "value": {
        "messaging_product": "whatsapp", "metadata": {"display_phone_number": "15550001234", "phone_number_id": "109876543210987"},
        "contacts": [contact], "messages": [message]}}]}]}


def flow_reply(n, phone_digits, rating):
    """An nfm_reply (a completed Flow) from `phone_digits`, or from a username-only user (None)."""
    token = f"ft_browser_{n:04d}_{int(time.time() * 1000)}"
    answers = json.dumps({"flow_token": token, "rating": str(rating), "comment": f"answer {n}"})
    message = {"id": f"wamid.BROWSER{n:04d}{int(time.time() * 1000)}", "timestamp": str(int(time.time())), "type": "interactive",
               "interactive": {"type": "nfm_reply", "nfm_reply": {"name": "flow", "body": "Sent", "response_json": answers}}}
    user = f"MA.{9000000000000000000 + n}"
    message["from_user_id"] = user
    contact = {"profile": {"name": f"Customer {n}"}, "user_id": user}
    if phone_digits:
        message["from"] = phone_digits
        contact["wa_id"] = phone_digits
    return cloud_message(message, contact), token


def text_message(n, phone_digits, text):
    message = {"id": f"wamid.TEXT{n:04d}{int(time.time() * 1000)}", "from": phone_digits, "timestamp": str(int(time.time())),
               "type": "text", "text": {"body": text}}
    return cloud_message(message, {"profile": {"name": "Live"}, "wa_id": phone_digits})


def main():
    if len(sys.argv) != 3:
        print(__doc__, file=sys.stderr)
        return 2
    binary, shots = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    shutil.rmtree(shots, ignore_errors=True)
    os.makedirs(shots)
    workdir = tempfile.mkdtemp(prefix="switchboard-ui-")
    downloads = os.path.join(workdir, "downloads")
    os.makedirs(downloads)
    server = Server(binary, workdir)
    driver = None
    try:
        # A custom build may leave Integrity out (then no report page data from it, no monitor);
        # a build that has it must serve it.
        check(not server.integrity or server.serves("/integrity"), "the Integrity plugin is enabled but GET /integrity is not routed")
        print(f"server on {server.base} (integrity {'enabled' if server.integrity else 'not in this build'})", flush=True)
        # --- seed: 3 answers with a phone, 2 without, a delivery that dies, a forged one -----
        for n, digits in enumerate(["212610059159", "212611223344", "212612345678"], start=1):
            server.webhook(flow_reply(n, digits, 5)[0])
        for n in (4, 5):
            server.webhook(flow_reply(n, None, 2)[0])
        server.webhook({"object": "whatsapp_business_account", "entry": "not a list"})  # stored, then dies
        server.webhook(flow_reply(6, "212613000000", 1)[0], signed=False)  # rejected, never stored
        if server.cloudtalk and server.serves("/cloudtalk/calls"):
            call = {"event_type": "call.ended", "call_id": "1002409191", "call_uuid": "44fe27cd-5268-4670-993e-01293c9f0001",
                    "direction": "incoming", "status": "answered", "external_number": "+212600000001",
                    "internal_number": "+212522000000", "contact_name": "Yassine", "started_at": "2026-03-02T10:30:00.000Z",
                    "answered_at": "2026-03-02T10:30:12.000Z", "ended_at": "2026-03-02T10:34:05.000Z", "talking_time": "233"}
            status, answer = server.request("POST", "/cloudtalk/webhook", json.dumps(call).encode(),
                                            {"Content-Type": "application/json", "X-Switchboard-Token": CLOUDTALK_TOKEN})
            check(status == 200, f"cloudtalk webhook answered {status}: {answer[:300]!r}")
            wait_until(lambda: len(server.admin("/cloudtalk/calls")["calls"]) == 1, "the CloudTalk call recorded")
        wait_until(lambda: len(server.admin("/metaflow/responses")["responses"]) == 5, "5 responses recorded")
        wait_until(lambda: len(server.admin("/api/admin/jobs?status=dead")["items"]) == 1, "one dead job")
        wait_until(lambda: server.admin("/api/admin/phones/report")["unresolved"] == 2, "two unresolved subjects")

        options = webdriver.ChromeOptions()
        options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,1000"):
            options.add_argument(argument)
        options.add_experimental_option("prefs", {"download.default_directory": downloads, "download.prompt_for_download": False})
        driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
        driver.set_page_load_timeout(20)
        # Views redraw their content: an element found before a redraw is retried, not an error.
        wait = WebDriverWait(driver, 10, poll_frequency=0.05, ignored_exceptions=[StaleElementReferenceException])
        base = server.base

        def shot(name):
            path = os.path.join(shots, name + ".png")
            driver.save_screenshot(path)
            return path

        def text_of(css):
            return driver.find_element(By.CSS_SELECTOR, css).text

        @step("a page without a session redirects to the login form")
        def _():
            driver.get(base + "/admin/responses")
            wait.until(lambda d: "/admin/login" in d.current_url)
            check("next=/admin/responses" in driver.current_url, driver.current_url)
            shot("01-login")

        @step("a wrong token is refused")
        def _():
            driver.find_element(By.ID, "token").send_keys("not-the-admin-token-at-all")
            driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
            wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "p.error"))
            check("Wrong admin token" in text_of("p.error"), text_of("p.error"))
            check(not driver.get_cookies(), f"a cookie after a wrong token: {driver.get_cookies()}")
            shot("02-login-wrong-token")

        @step("logging in sets an HttpOnly, SameSite=Strict session cookie (not the token)")
        def _():
            driver.find_element(By.ID, "token").send_keys(ADMIN_TOKEN)
            driver.find_element(By.CSS_SELECTOR, "form button[type=submit]").click()
            wait.until(lambda d: d.current_url.endswith("/admin/responses"))
            cookies = driver.get_cookies()
            check(len(cookies) == 1, f"cookies: {cookies}")
            cookie = cookies[0]
            check(cookie["name"] == "sb_admin_session" and cookie["httpOnly"] and cookie.get("sameSite") == "Strict"
                  and cookie["path"] == "/", f"cookie: {cookie}")
            check(ADMIN_TOKEN not in cookie["value"], "the cookie holds the token")
            check(driver.execute_script("return document.cookie") == "", "script can read the session cookie")

        @step("the overview shows the seeded data")
        def _():
            driver.get(base + "/admin")
            wait.until(lambda d: text_of("#capture-rate") not in ("", "—") and text_of("#count-total") == "5")
            check(text_of("#capture-rate") == "60.0%", f"capture rate {text_of('#capture-rate')}")
            check(text_of("#count-unresolved") == "2", text_of("#count-unresolved"))
            check(text_of("#count-dead") == "1" and text_of("#count-rejected") == "1", "dead/rejected counts")
            check(len(driver.find_elements(By.CSS_SELECTOR, "#day-chart rect.bar")) >= 1, "no bar in the day chart")
            shot("03-overview")
            driver.set_window_size(390, 844)
            driver.refresh()
            wait.until(lambda d: text_of("#capture-rate") == "60.0%")
            width, view = driver.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
            check(width <= view, f"the overview is {width}px wide on a {view}px phone screen (scrolls sideways)")
            shot("04-overview-phone")
            driver.set_window_size(1280, 1000)

        @step("the responses filter and the CSV download")
        def _():
            driver.get(base + "/admin/responses")
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#responses-table tbody tr")) == 5)
            phones = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#responses-table .phone")]
            check("+212610059159" in phones, f"full phones on the responses page: {phones}")
            Select(driver.find_element(By.ID, "filter-has_phone")).select_by_value("false")
            driver.find_element(By.CSS_SELECTOR, "#filters button[type=submit]").click()
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#responses-table tbody tr")) == 2)
            check("has_phone=false" in driver.current_url, driver.current_url)
            shot("05-responses-filtered")
            link = driver.find_element(By.ID, "csv-link")
            check("has_phone=false" in link.get_attribute("href"), link.get_attribute("href"))
            link.click()
            path = os.path.join(downloads, "responses.csv")
            wait_until(lambda: os.path.exists(path) and os.path.getsize(path) > 0, "the CSV download", timeout=10)
            lines = [line for line in open(path, encoding="utf-8").read().splitlines() if line]
            check(len(lines) == 3, f"CSV of the filter: header and 2 rows, got {lines}")

        @step("assigning a phone from the review queue raises the capture rate")
        def _():
            driver.get(base + "/admin/review")
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".review-item")) == 2)
            before = text_of("#review-capture-rate")
            check(before == "60.0%", f"capture rate before: {before}")
            shot("06-review")
            item = driver.find_elements(By.CSS_SELECTOR, ".review-item")[0]
            subject = item.get_attribute("data-subject")
            item.find_element(By.CSS_SELECTOR, "input[name=phone]").send_keys("0610203040")
            item.find_element(By.CSS_SELECTOR, "input[name=note]").send_keys("called the customer")
            item.find_element(By.CSS_SELECTOR, "form.assign button").click()
            wait.until(lambda d: text_of("#review-capture-rate") == "80.0%")
            check("+212610203040" in text_of("#notice"), text_of("#notice"))
            check(len(driver.find_elements(By.CSS_SELECTOR, ".review-item")) == 1, "the assigned subject left the queue")
            detail = server.admin("/api/admin/phones/subject?subject=" + urllib.request.quote(subject))
            check(detail["status"] == "resolved" and detail["phone"] == "+212610203040", f"subject after assign: {detail}")
            shot("07-review-assigned")
            driver.get(base + "/admin")
            wait.until(lambda d: text_of("#capture-rate") == "80.0%")

        if server.integrity:
            @step("dismissing the last subject of the review queue, with a note")
            def _():
                driver.get(base + "/admin/review")
                wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, ".review-item")) == 1)
                item = driver.find_element(By.CSS_SELECTOR, ".review-item")
                subject = item.get_attribute("data-subject")
                item.find_element(By.CSS_SELECTOR, "input[name=note]").send_keys("test entry, no customer")
                [b for b in item.find_elements(By.TAG_NAME, "button") if b.text == "Dismiss"][0].click()
                wait.until(lambda d: f"Dismissed {subject}" in text_of("#notice"))
                wait.until(lambda d: not d.find_elements(By.CSS_SELECTOR, ".review-item"))
                detail = server.admin("/integrity/review/subject?subject=" + urllib.request.quote(subject))
                check(detail["dismissed"] and detail["dismissal_note"] == "test entry, no customer", f"after dismiss: {detail}")

            @step("the monitor shows a new message within a second of its webhook")
            def _():
                driver.get(base + "/admin/monitor")
                wait.until(lambda d: text_of("#stream-state") == "live")
                newest = "return Math.max(0, ...[...document.querySelectorAll('#timeline li')].map((li) => Number(li.dataset.id) || 0))"
                # Let the backlog (the seeded events) arrive first: wait until it stops growing.
                settled, last = 0, -1
                while settled < 5:
                    count = len(driver.find_elements(By.CSS_SELECTOR, "#timeline li"))
                    settled, last = (settled + 1, count) if count == last else (0, count)
                    time.sleep(0.1)
                check(last > 0, "the monitor shows no backlog of the seeded messages")
                before = driver.execute_script(newest)
                sent = time.monotonic()
                server.webhook(text_message(90, "212614141414", "hello from the browser test"))
                arrived = f"return [...document.querySelectorAll('#timeline li')].some((li) => Number(li.dataset.id) > {before} && li.textContent.includes('message.received'))"
                WebDriverWait(driver, 5, poll_frequency=0.01).until(lambda d: d.execute_script(arrived))
                elapsed = time.monotonic() - sent
                row = driver.find_element(By.CSS_SELECTOR, "#timeline li")
                check("212614141414" not in row.text, f"the monitor shows a phone in full: {row.text}")
                shot("08-monitor")
                print(f"      message on the monitor {elapsed * 1000:.0f} ms after the webhook was answered", flush=True)
                check(elapsed < 1.0, f"the message appeared after {elapsed:.2f}s")

        else:
            check(not driver.find_elements(By.LINK_TEXT, "Monitor"), "a Monitor page without the Integrity plugin's stream")
            print("  --  monitor: the Integrity plugin is not in this build (skipped)", flush=True)

        @step("a dead job is retried and its webhook replayed from the inbox page")
        def _():
            driver.get(base + "/admin/inbox")
            wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#dead-jobs tbody tr")) == 1)
            check(len(driver.find_elements(By.CSS_SELECTOR, "#rejections tbody tr")) == 1, "the rejected webhook is listed")
            check("not a Cloud API webhook body" in text_of("#dead-jobs"), text_of("#dead-jobs"))
            shot("09-inbox")
            job = driver.find_element(By.CSS_SELECTOR, "#dead-jobs tbody tr").get_attribute("data-id")
            driver.find_element(By.CSS_SELECTOR, "#dead-jobs tbody tr button").click()
            wait.until(lambda d: f"Job {job} will run again" in text_of("#notice"))
            # It dies again (the body is still bad): then replay the stored webhook itself.
            wait_until(lambda: server.admin(f"/api/admin/jobs?status=dead")["items"] != [] and
                       server.admin("/api/admin/jobs?status=dead")["items"][0]["attempt"] >= 1, "the retried job to finish")
            driver.refresh()
            dead_item = wait.until(lambda d: [r for r in d.find_elements(By.CSS_SELECTOR, "#inbox-items tbody tr")
                                               if "dead" in r.text])
            dead_item[0].find_element(By.TAG_NAME, "button").click()
            wait.until(lambda d: "queued again" in text_of("#notice"))
            shot("10-inbox-replayed")

        panels = server.admin("/api/admin/panels")["panels"]
        for number, spec in enumerate(panels, start=11):
            @step(f"the {spec['title']} panel of {spec['plugin']}")
            def _():
                driver.get(base + "/admin/panels/" + spec["id"])
                wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#panel-rows table, #panel-rows p"))
                if spec["id"] == "cloudtalk.calls":
                    rows = driver.find_elements(By.CSS_SELECTOR, "#panel-table tbody tr")
                    check(len(rows) == 1, f"calls on the CloudTalk panel: {len(rows)}")
                    check("+2126••••01" in rows[0].text and "+212600000001" not in rows[0].text,
                          f"the panel's phone column is not masked: {rows[0].text}")
                check("null" not in text_of("#content").split(), "a stray null on the panel page")
                shot(f"{number}-panel-{spec['id']}")

        @step("every page fits a phone's screen")
        def _():
            driver.set_window_size(390, 844)
            try:
                for path, ready in [("/admin/responses", "#responses-table, #responses p"), ("/admin/review", "#review-queue"),
                                    ("/admin/inbox", "#dead-jobs, #inbox-items")] + \
                                   ([("/admin/monitor", "#timeline li")] if server.integrity else []):
                    driver.get(base + path)
                    wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, ready))
                    width, view = driver.execute_script("return [document.documentElement.scrollWidth, document.documentElement.clientWidth]")
                    check(width <= view, f"{path} is {width}px wide on a {view}px phone screen (scrolls sideways)")
                    shot("phone-" + path.rsplit("/", 1)[-1])
            finally:
                driver.set_window_size(1280, 1000)

        @step("logging out ends the session")
        def _():
            driver.get(base + "/admin")
            driver.find_element(By.CSS_SELECTOR, "form.logout button").click()
            wait.until(lambda d: "/admin/login" in d.current_url)
            check(not driver.get_cookies(), f"cookies after logout: {driver.get_cookies()}")
            driver.get(base + "/admin/inbox")
            wait.until(lambda d: "/admin/login" in d.current_url)

        print(f"admin UI browser test: {len(STEPS)} steps passed", flush=True)
        print(f"screenshots: {shots}", flush=True)
        for name in sorted(os.listdir(shots)):
            print(f"  {os.path.join(shots, name)}", flush=True)
        return 0
    except Exception as error:  # noqa: BLE001 — any failure fails the run, with its context
        print(f"  FAILED after {len(STEPS)} steps: {type(error).__name__}: {error}", file=sys.stderr, flush=True)
        if driver is not None:
            try:
                print(f"  page {driver.current_url}: {driver.find_element(By.TAG_NAME, 'body').text[:1500]}", file=sys.stderr)
                driver.save_screenshot(os.path.join(shots, "failure.png"))
                print(f"  screenshot of the failure: {os.path.join(shots, 'failure.png')}", file=sys.stderr)
            except Exception:  # noqa: BLE001
                pass
        print(f"  server log: {open(server.log.name).read()[-3000:]}", file=sys.stderr)
        return 1
    finally:
        if driver is not None:
            driver.quit()
        server.stop()
        shutil.rmtree(workdir, ignore_errors=True)


def wait_until(condition, what, timeout=15.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.1)
    raise Failure(f"timed out waiting for {what}")


if __name__ == "__main__":
    sys.exit(main())
