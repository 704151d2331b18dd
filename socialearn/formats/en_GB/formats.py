# Over Django's en_GB formats: the site writes times on the 24-hour clock ("2 Dec 2026, 14:30"),
# as its templates always did, and a day of the month as "2 Dec".
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "j M"
