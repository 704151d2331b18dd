# Over Django's de formats: abbreviated months as German product pages write them
# ("2. Dez. 2026", "2. Dez. 2026, 14:30", "2. Dez.").
DATE_FORMAT = "j. N Y"
DATETIME_FORMAT = "j. N Y, H:i"
MONTH_DAY_FORMAT = "j. N"
