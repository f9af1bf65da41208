#!/usr/bin/env python3
"""Holds `switchboard phones normalize` against Google's libphonenumber (its Python port,
the `phonenumbers` package, pinned below) on a deterministic corpus of a few thousand inputs.

    python3 -m venv /tmp/pnvenv && /tmp/pnvenv/bin/pip install phonenumbers==9.0.43
    /tmp/pnvenv/bin/python scripts/phones/compare_libphonenumber.py .build/debug/switchboard

1. The corpus: for every region, libphonenumber's example number of every type written as
   E.164, international, national, national digits, `00…`, bare international digits and the
   WhatsApp shapes (`@c.us`, `@s.whatsapp.net`, `whatsapp:+`); for the core regions (the
   40 largest WhatsApp markets, the Maghreb and the EU) also seeded random variations: other
   numbers in the same blocks, wrong lengths, foreign default regions, non-Latin digits,
   letters, unknown calling codes, `@lid` and `@g.us` ids and business-scoped user ids.
2. Our answers: the binary, once per default region, inputs on stdin, `--json` out.
3. The reference: libphonenumber's `parse` then `is_valid_number`, formatted E.164. WhatsApp
   ids are unwrapped first, as the normaliser does (libphonenumber does not know them), and
   the normaliser's two documented readings are applied when libphonenumber finds nothing:
   digits without `+` that form a valid international number, and `00` in every region.
4. Every input falls in one class: agreement (same E.164, or both reject); lenient (we accept
   a number libphonenumber calls invalid but which lies in its country's general range with
   a possible length: the `general_range` entry of known_exceptions.json gives the reason);
   or a difference. A difference must be listed in known_exceptions.json with its reason.
5. Prints the agreement rates and every unlisted difference; exits 1 when there is one.
"""
import json
import os
import random
import re
import subprocess
import sys
from collections import Counter, defaultdict

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat, PhoneNumberType, PhoneMetadata

PINNED = "9.0.43"
HERE = os.path.dirname(os.path.abspath(__file__))
SEED = 20260518

# The 40 largest WhatsApp markets (by users, rounded; order irrelevant), the Maghreb, the EU 27.
TOP_WHATSAPP = ["IN", "BR", "ID", "US", "MX", "RU", "PK", "NG", "PH", "TR", "EG", "DE", "IT", "ES", "AR",
                "CO", "SA", "GB", "FR", "ZA", "KE", "MY", "BD", "UA", "PE", "CL", "VE", "IQ", "GH", "TZ",
                "UZ", "KZ", "AE", "EC", "NP", "LK", "IL", "SG", "HK", "CA"]
MAGHREB = ["MA", "DZ", "TN", "LY", "MR"]
EU = ["AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
      "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"]
CORE = sorted(set(TOP_WHATSAPP + MAGHREB + EU))

TYPES = [PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE,
         PhoneNumberType.PREMIUM_RATE, PhoneNumberType.SHARED_COST, PhoneNumberType.VOIP,
         PhoneNumberType.PERSONAL_NUMBER, PhoneNumberType.PAGER, PhoneNumberType.UAN,
         PhoneNumberType.VOICEMAIL]

ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
EXTENDED_ARABIC_INDIC = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")
DEVANAGARI = str.maketrans("0123456789", "०१२३४५६७८९")
WHATSAPP_USER = re.compile(r"^(\d+)(?::\d+)?@(c\.us|s\.whatsapp\.net)$", re.IGNORECASE)
NON_USER_ID = re.compile(r"@(lid|g\.us)$|^[A-Za-z]{2}\.[A-Za-z0-9]+$", re.IGNORECASE)
SEPARATORS = re.compile(r"[\s\-\.\(\)/\u200e\u200f]")


# --- 1. the corpus ---------------------------------------------------------------------------

def examples(region):
    """(type name, PhoneNumber) for each type libphonenumber has an example of."""
    out = []
    for t in TYPES:
        number = phonenumbers.example_number_for_type(region, t)
        if number is not None:
            out.append((PhoneNumberType.to_string(t).lower(), number))
    return out


def shapes(number, region):
    """The ways people and providers write one number, read with `region` as default."""
    e164 = phonenumbers.format_number(number, PhoneNumberFormat.E164)
    digits = e164[1:]
    national = phonenumbers.format_number(number, PhoneNumberFormat.NATIONAL)
    return [
        ("e164", e164),
        ("international", phonenumbers.format_number(number, PhoneNumberFormat.INTERNATIONAL)),
        ("national", national),
        ("national_digits", re.sub(r"\D", "", national)),
        ("double_zero", "00" + digits),
        ("bare_international", digits),
        ("whatsapp_c_us", digits + "@c.us"),
        ("whatsapp_s_net", digits + "@s.whatsapp.net"),
        ("whatsapp_prefix", "whatsapp:" + e164),
    ]


def mutate_tail(rng, nsn, keep):
    """Same leading digits, random rest: usually another number of the same block."""
    keep = min(keep, len(nsn) - 1)
    return nsn[:keep] + "".join(rng.choice("0123456789") for _ in range(len(nsn) - keep))


def unknown_country_codes():
    """Three-digit codes that are not assigned and have no assigned code as a prefix."""
    assigned = set(phonenumbers.COUNTRY_CODE_TO_REGION_CODE)
    out = []
    for code in range(100, 1000):
        s = str(code)
        if not any(int(s[:i]) in assigned for i in range(1, 4)):
            out.append(s)
    return out


def corpus():
    rng = random.Random(SEED)
    items = []  # (input, region or None, category)
    unknown_codes = unknown_country_codes()
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    for region in regions:
        for type_name, number in examples(region):
            for shape, text in shapes(number, region):
                items.append((text, region, f"example/{shape}"))
    for index, region in enumerate(CORE):
        cc = phonenumbers.country_code_for_region(region)
        metadata = PhoneMetadata.metadata_for_region(region)
        prefix = metadata.national_prefix or ""
        foreign = CORE[(index * 7 + 3) % len(CORE)]
        if foreign == region:
            foreign = "MA" if region != "MA" else "FR"
        for type_name, number in examples(region):
            nsn = phonenumbers.national_significant_number(number)
            for _ in range(4):
                other = mutate_tail(rng, nsn, 3 if len(nsn) > 6 else 2)
                items.append((f"+{cc} {other}", region, "random/e164"))
                items.append((f"{prefix}{other}", region, "random/national_digits"))
                items.append((f"{cc}{other}", region, "random/bare_international"))
                items.append((f"{cc}{other}@c.us", region, "random/whatsapp_c_us"))
            parsed = phonenumbers.parse(f"+{cc}{nsn}")
            # Written for another default region: a foreign number with and without its +.
            items.append((phonenumbers.format_number(parsed, PhoneNumberFormat.INTERNATIONAL), foreign, "foreign/international"))
            items.append((f"{cc}{nsn}", foreign, "foreign/bare_international"))
            items.append((f"00{cc}{nsn}", foreign, "foreign/double_zero"))
            items.append((f"{cc}{nsn}", None, "no_region/bare_international"))
            items.append((f"+{cc}{nsn}", None, "no_region/e164"))
            items.append((f"{prefix}{nsn}", None, "no_region/national_digits"))
            # Wrong lengths.
            items.append((f"+{cc}{nsn}{rng.randrange(10)}", region, "length/one_more"))
            items.append((f"+{cc}{nsn[:-1]}", region, "length/one_less"))
            items.append((f"{prefix}{nsn}{rng.randrange(10)}", region, "length/national_one_more"))
            items.append((f"{prefix}{nsn[:-2]}", region, "length/national_two_less"))
            items.append((f"+{cc}{nsn}{nsn}", region, "length/doubled"))
            # Separators, invisible marks and other scripts' digits.
            items.append((f"(+{cc}) {nsn[:3]}.{nsn[3:6]}/{nsn[6:]}", region, "format/mixed_separators"))
            items.append((f"\u200e+{cc} {nsn}\u200f", region, "format/bidi_marks"))
            items.append((f"+{cc}{nsn}".translate(ARABIC_INDIC), region, "format/arabic_indic_digits"))
            items.append((f"{prefix}{nsn}".translate(EXTENDED_ARABIC_INDIC), region, "format/extended_arabic_indic_digits"))
            items.append((f"+{cc}{nsn}".translate(DEVANAGARI), region, "format/devanagari_digits"))
            # Not phone numbers.
            position = rng.randrange(1, len(nsn))
            items.append((f"+{cc}{nsn[:position]}{rng.choice('abcxyzO')}{nsn[position:]}", region, "reject/letters"))
            items.append((f"{prefix}{nsn} ext. 12", region, "reject/extension"))
        code = rng.choice(unknown_codes)
        items.append((f"+{code}{rng.randrange(10**7, 10**8)}", region, "reject/unknown_country_code"))
        items.append((f"00{code}{rng.randrange(10**7, 10**8)}", region, "reject/unknown_country_code_00"))
        items.append((f"{rng.randrange(10**14, 10**15)}@lid", region, "reject/whatsapp_lid"))
        items.append((f"120363{rng.randrange(10**11, 10**12)}@g.us", region, "reject/whatsapp_group"))
        items.append((f"{cc}{rng.randrange(10**8, 10**9)}-{rng.randrange(10**9, 2 * 10**9)}@g.us", region, "reject/whatsapp_group_legacy"))
        items.append((f"{region}.{rng.randrange(10**19, 10**20)}", region, "reject/business_scoped_user_id"))
        items.append((f"+{cc}", region, "reject/country_code_only"))
        items.append(("+" + "".join(rng.choice("0123456789") for _ in range(16)), region, "reject/sixteen_digits"))
    return items


# --- 2. our answers -----------------------------------------------------------------------------

def ours(binary, items):
    """{(input, region): (e164 or None, error code or None)}, one process per region."""
    by_region = defaultdict(list)
    for text, region, _ in items:
        by_region[region].append(text)
    answers = {}
    for region, texts in sorted(by_region.items(), key=lambda kv: kv[0] or ""):
        unique = list(dict.fromkeys(texts))
        arguments = [binary, "phones", "normalize", "--json", "-"]
        if region is not None:
            arguments[3:3] = ["--region", region]
        run = subprocess.run(arguments, input="\n".join(unique) + "\n", capture_output=True, encoding="utf-8")
        if run.returncode not in (0, 1):
            sys.exit(f"{' '.join(arguments)}: exit {run.returncode}: {run.stderr.strip()}")
        lines = run.stdout.splitlines()
        if len(lines) != len(unique):
            sys.exit(f"region {region}: {len(unique)} inputs but {len(lines)} answers")
        for text, line in zip(unique, lines):
            answer = json.loads(line)
            if answer["input"] != text:
                sys.exit(f"region {region}: answer for {answer['input']!r} where {text!r} was expected")
            answers[(text, region)] = (answer.get("e164"), answer.get("error"))
    return answers


# --- 3. the reference ---------------------------------------------------------------------------

def lib_valid_e164(text, region):
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    return phonenumbers.format_number(number, PhoneNumberFormat.E164)


def reference(text, region):
    """(e164 or None, how it was found)."""
    stripped = text.strip()
    if NON_USER_ID.search(stripped):
        return None, "non_user_id"
    if stripped.lower().startswith("whatsapp:"):
        stripped = stripped[len("whatsapp:"):]
    user = WHATSAPP_USER.match(stripped)
    if user:
        return lib_valid_e164("+" + user.group(1), region), "whatsapp_user"
    e164 = lib_valid_e164(stripped, region)
    if e164:
        return e164, "libphonenumber"
    bare = SEPARATORS.sub("", stripped)
    if bare.isdigit():
        digits = "".join(str(int(c)) for c in bare)  # any script's digits
        if digits.startswith("00"):
            e164 = lib_valid_e164("+" + digits[2:], None)
            if e164:
                return e164, "double_zero_everywhere"
        e164 = lib_valid_e164("+" + digits, None)
        if e164:
            return e164, "bare_international"
    return None, "libphonenumber"


def in_general_range(e164):
    """Whether libphonenumber places `e164` in its country's general range with a possible length
    (what the normaliser checks), even though no number type matches it."""
    try:
        number = phonenumbers.parse(e164, None)
    except NumberParseException:
        return False
    nsn = phonenumbers.national_significant_number(number)
    for region in phonenumbers.region_codes_for_country_code(number.country_code):
        metadata = PhoneMetadata.metadata_for_region_or_calling_code(number.country_code, region)
        general = metadata.general_desc
        if len(nsn) in general.possible_length and re.fullmatch(general.national_number_pattern, nsn):
            return True
    return False


# --- 4. comparing ------------------------------------------------------------------------------

def load_exceptions():
    with open(os.path.join(HERE, "known_exceptions.json"), encoding="utf-8") as f:
        entries = json.load(f)["exceptions"]
    for entry in entries:
        if "reason" not in entry or not any(k in entry for k in ("input", "pattern", "category", "expected_pattern", "rule")):
            sys.exit(f"known_exceptions.json: each entry needs a reason and an input, pattern, category or expected_pattern: {entry}")
    return entries


def covering_exception(entries, text, region, category, kind, expected):
    for entry in entries:
        if "rule" in entry:
            continue  # applied by name in main(), never as a catch-all
        if "expected_pattern" in entry and not (expected and re.search(entry["expected_pattern"], expected)):
            continue
        if "kind" in entry and entry["kind"] != kind:
            continue
        if "region" in entry and entry["region"] != region:
            continue
        if "input" in entry and entry["input"] != text:
            continue
        if "pattern" in entry and not re.search(entry["pattern"], text):
            continue
        if "category" in entry and not category.startswith(entry["category"]):
            continue
        return entry
    return None


def percent(n, d):
    return f"{n}/{d} = {100.0 * n / d:.2f} %" if d else "0/0"


BUCKETS = [
    ("valid/core", "valid numbers (libphonenumber: valid), core regions"),
    ("valid/other", "valid numbers (libphonenumber: valid), other regions"),
    ("reading/bare_international", "valid only as international digits without + (libphonenumber rejects them in that region)"),
    ("reading/double_zero_everywhere", "valid only with 00 as international prefix (not the region's own prefix)"),
    ("invalid/core", "inputs libphonenumber rejects, core regions"),
    ("invalid/other", "inputs libphonenumber rejects, other regions"),
]


def main():
    if len(sys.argv) != 2:
        sys.exit("usage: compare_libphonenumber.py PATH/TO/switchboard")
    if phonenumbers.__version__ != PINNED:
        sys.exit(f"phonenumbers {phonenumbers.__version__} installed, {PINNED} pinned (pip install phonenumbers=={PINNED})")
    binary = sys.argv[1]
    items = list(dict.fromkeys(corpus()))
    answers = ours(binary, items)
    exceptions = load_exceptions()

    total, agree, listed, lenient = Counter(), Counter(), Counter(), Counter()
    by_exception, lenient_categories = Counter(), Counter()
    unlisted = []
    for text, region, category in items:
        e164, error = answers[(text, region)]
        expected, how = reference(text, region)
        scope = "core" if region in CORE or region is None else "other"
        if expected is None:
            bucket = f"invalid/{scope}"
        elif how in ("libphonenumber", "whatsapp_user"):
            bucket = f"valid/{scope}"
        else:
            bucket = f"reading/{how}"
        total[bucket] += 1
        if e164 == expected:
            agree[bucket] += 1
            continue
        # The one rule-based exception: see "general_range" in known_exceptions.json.
        general_range = next((e for e in exceptions if e.get("rule") == "in_general_range"), None)
        if expected is None and general_range is not None and in_general_range(e164):
            lenient[bucket] += 1
            lenient_categories[category] += 1
            continue
        kind = "we_accept" if expected is None else "we_reject" if e164 is None else "different_number"
        entry = covering_exception(exceptions, text, region, category, kind, expected)
        if entry is not None:
            listed[bucket] += 1
            by_exception[entry.get("id") or entry.get("input") or entry.get("pattern")] += 1
            continue
        unlisted.append((kind, category, region, text, expected, e164 or f"error: {error}"))

    n = len(items)
    print(f"libphonenumber comparison: phonenumbers {phonenumbers.__version__}, {n} inputs, "
          f"{len({r for _, r, _ in items})} default regions ({len(CORE)} core: top WhatsApp markets, Maghreb, EU)")
    for bucket, name in BUCKETS:
        if not total[bucket]:
            continue
        verb = "rejected too" if bucket.startswith("invalid") else "same E.164"
        line = f"  {name}: {verb} {percent(agree[bucket], total[bucket])}"
        if listed[bucket]:
            line += f"; {percent(agree[bucket], total[bucket] - listed[bucket])} leaving out {listed[bucket]} known exceptions"
        if lenient[bucket]:
            line += f"; {lenient[bucket]} accepted as in their country's general range (lenient by design)"
        print(line)
    print(f"  overall: {percent(sum(agree.values()), n)} agree, {sum(lenient.values())} lenient, "
          f"{sum(listed.values())} known exceptions, {len(unlisted)} unlisted differences")
    if lenient_categories:
        print("  lenient acceptances by corpus category: " + ", ".join(f"{k} {v}" for k, v in lenient_categories.most_common()))
    for key, count in sorted(by_exception.items()):
        print(f"  known exception {key}: {count}")
    if unlisted:
        print("unlisted differences (kind | category | region | input | libphonenumber | ours):")
        for row in unlisted[:200]:
            print("  " + " | ".join("-" if v is None else str(v) for v in row))
        if len(unlisted) > 200:
            print(f"  … and {len(unlisted) - 200} more")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
