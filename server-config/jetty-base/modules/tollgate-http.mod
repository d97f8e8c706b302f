[description]
Tollgate's clear-text connector (jetty.http.port): HTTP/1.1 with a deadline for the whole request head
and WebSocket handshakes that switch protocols with their input open,
and HTTP/2 by prior knowledge only (an "Upgrade: h2c" is answered over HTTP/1.1), in place of the http2c
module. Its classes are in tollgate-jetty-errors.jar, which server-config/jetty.sh puts on the class path.

[tags]
connector
http
http2

[depend]
http

[lib]
lib/http2/jetty-http2-common-${jetty.version}.jar
lib/http2/jetty-http2-hpack-${jetty.version}.jar
lib/http2/jetty-http2-server-${jetty.version}.jar

[xml]
etc/tollgate-http.xml
