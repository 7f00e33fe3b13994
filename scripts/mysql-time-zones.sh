#!/usr/bin/env bash
# Load the server's time-zone tables when they are empty (MySQL/MariaDB ship
# them empty). Django needs them for date lookups in a time zone other than
# UTC: the admin's date filters on the shop's clock, day buckets of reports.
# Usage: scripts/mysql-time-zones.sh mysql://user[:pass]@host:port/db
set -euo pipefail
url=${1:?a mysql:// URL}
read -r host port user password < <(python3 - "$url" <<'PY'
import sys
from urllib.parse import unquote, urlsplit
u = urlsplit(sys.argv[1])
print(u.hostname or "127.0.0.1", u.port or 3306, unquote(u.username or "root"), unquote(u.password or "") or "-")
PY
)
client=(mariadb --protocol=tcp -h "$host" -P "$port" -u "$user")
[ "$password" != "-" ] && client+=("-p$password")
loaded=$("${client[@]}" -N -e "SELECT COUNT(*) FROM mysql.time_zone_name")
if [ "$loaded" -gt 0 ]; then
  echo "time-zone tables already loaded ($loaded zones)"
  exit 0
fi
mariadb-tzinfo-to-sql /usr/share/zoneinfo 2>/dev/null | "${client[@]}" mysql
echo "time-zone tables loaded ($("${client[@]}" -N -e "SELECT COUNT(*) FROM mysql.time_zone_name") zones)"
