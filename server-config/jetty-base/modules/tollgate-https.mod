[description]
The request-head deadline of tollgate-http on the TLS connector's HTTP/1.1 (server-config/jetty.sh adds this
module with ssl, https and http2 when it is given a keystore).

[tags]
connector
https

[depend]
https
http2

[xml]
etc/tollgate-https.xml
