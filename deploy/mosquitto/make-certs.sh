#!/bin/sh
# Make the TLS files of the Mosquitto listener (and one client certificate) with openssl.
#
#   deploy/mosquitto/make-certs.sh <out-dir> [server-name ...]     (default names: mosquitto localhost)
#
# Writes into <out-dir>: ca.crt / ca.key (a private CA; kept and reused if ca.key already exists, so
# rerunning renews the server certificate under the same CA), server.crt / server.key (subjectAltName:
# the names given, plus IP 127.0.0.1), client.crt / client.key (CN basin-client, for brokers that
# require client certificates). Give devices ca.crt only; keep ca.key offline.
# Used by docker-compose.yml (deploy/mosquitto/certs) and by the tests (makeTestCertificates()).
set -eu
[ $# -ge 1 ] || { echo "usage: $0 <out-dir> [server-name ...]" >&2; exit 2; }
out=$1
shift
[ $# -ge 1 ] || set -- mosquitto localhost
mkdir -p "$out"
cd "$out"
umask 077

san="IP:127.0.0.1"
for n in "$@"; do
  case $n in
    *[!0-9.]*) san="$san,DNS:$n" ;;
    *) san="$san,IP:$n" ;;
  esac
done
key() { openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out "$1" 2>/dev/null; }

if [ ! -f ca.key ]; then
  key ca.key
  openssl req -x509 -new -key ca.key -days 3650 -subj "/CN=basin-twin MQTT CA" -out ca.crt \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign"
fi

issue() { # name cn extensions
  key "$1.key"
  openssl req -new -key "$1.key" -subj "/CN=$2" -out "$1.csr"
  printf '%s\n' "$3" > "$1.ext"
  openssl x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 825 -out "$1.crt" -extfile "$1.ext" 2>/dev/null
  rm -f "$1.csr" "$1.ext"
}
issue server "$1" "subjectAltName=$san
extendedKeyUsage=serverAuth
basicConstraints=CA:FALSE"
issue client basin-client "extendedKeyUsage=clientAuth
basicConstraints=CA:FALSE"
# Certificates are public; the broker (user mosquitto in the container) must read its key.
chmod 644 ca.crt server.crt client.crt server.key
echo "TLS files in $(pwd): ca.crt server.crt server.key client.crt client.key (subjectAltName $san)"
