"""Vietnamese reference data and validators: tax codes (mã số thuế), phone numbers and the GSO province codes."""

from __future__ import annotations

import re

# Mã số thuế: 10 digits for an enterprise, or those 10 + "-" + 3 digits for one of its branches.
_TAX_CODE = re.compile(r"^(?P<main>\d{10})(?:-?(?P<branch>\d{3}))?$")
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
# +84 then a mobile prefix (3, 5, 7, 8, 9) and 8 digits, or a landline area code (2x) and 8 digits.
_VN_PHONE = re.compile(r"^\+84(3|5|7|8|9|2\d)\d{7,8}$")

# The 63 provinces and centrally-run cities, keyed by their two-digit GSO administrative code.
PROVINCES: dict[str, str] = {
    "01": "Hà Nội", "02": "Hà Giang", "04": "Cao Bằng", "06": "Bắc Kạn", "08": "Tuyên Quang",
    "10": "Lào Cai", "11": "Điện Biên", "12": "Lai Châu", "14": "Sơn La", "15": "Yên Bái",
    "17": "Hòa Bình", "19": "Thái Nguyên", "20": "Lạng Sơn", "22": "Quảng Ninh", "24": "Bắc Giang",
    "25": "Phú Thọ", "26": "Vĩnh Phúc", "27": "Bắc Ninh", "30": "Hải Dương", "31": "Hải Phòng",
    "33": "Hưng Yên", "34": "Thái Bình", "35": "Hà Nam", "36": "Nam Định", "37": "Ninh Bình",
    "38": "Thanh Hóa", "40": "Nghệ An", "42": "Hà Tĩnh", "44": "Quảng Bình", "45": "Quảng Trị",
    "46": "Thừa Thiên Huế", "48": "Đà Nẵng", "49": "Quảng Nam", "51": "Quảng Ngãi", "52": "Bình Định",
    "54": "Phú Yên", "56": "Khánh Hòa", "58": "Ninh Thuận", "60": "Bình Thuận", "62": "Kon Tum",
    "64": "Gia Lai", "66": "Đắk Lắk", "67": "Đắk Nông", "68": "Lâm Đồng", "70": "Bình Phước",
    "72": "Tây Ninh", "74": "Bình Dương", "75": "Đồng Nai", "77": "Bà Rịa - Vũng Tàu", "79": "Hồ Chí Minh",
    "80": "Long An", "82": "Tiền Giang", "83": "Bến Tre", "84": "Trà Vinh", "86": "Vĩnh Long",
    "87": "Đồng Tháp", "89": "An Giang", "91": "Kiên Giang", "92": "Cần Thơ", "93": "Hậu Giang",
    "94": "Sóc Trăng", "95": "Bạc Liêu", "96": "Cà Mau",
}


def tax_check_digit(first_nine: str) -> int | None:
    """The tenth digit the first nine call for, or None when the rule gives 10 (no valid code starts so)."""
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _TAX_WEIGHTS, strict=True))
    check = 10 - total % 11
    return None if check == 10 else check


def normalise_tax_code(raw: str) -> str | None:
    """The tax code in its canonical form ('0100109106' or '0100109106-001'), or None when it is invalid:
    wrong shape, a failed checksum over the first ten digits, or branch number 000."""
    match = _TAX_CODE.match(raw.strip().replace(" ", ""))
    if match is None:
        return None
    main, branch = match.group("main"), match.group("branch")
    if tax_check_digit(main[:9]) != int(main[9]) or branch == "000":
        return None
    return f"{main}-{branch}" if branch else main


def normalise_phone(raw: str) -> str | None:
    """'0912 345 678', '84912345678' and '+84 912.345.678' all become '+84912345678'; None when it is not a
    Vietnamese number."""
    digits = re.sub(r"[ .()-]", "", raw.strip())
    if digits.startswith("0"):
        digits = "+84" + digits[1:]
    elif digits.startswith("84"):
        digits = "+" + digits
    return digits if _VN_PHONE.match(digits) else None


def is_province_code(code: str) -> bool:
    return code in PROVINCES
