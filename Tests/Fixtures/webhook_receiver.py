#!/usr/bin/env python3
"""A webhook receiver for the alerting tests: answers 500 to the first FAILS posts, then 204,
and appends each post (time, status given, Authorization header, JSON body) to LOG as a line.
Usage: webhook_receiver.py PORT_FILE LOG FAILS"""
import json, sys, time
from http.server import BaseHTTPRequestHandler, HTTPServer

port_file, log_path, fails = sys.argv[1], sys.argv[2], int(sys.argv[3])
count = 0

class Handler(BaseHTTPRequestHandler):
    def do_POST(self):
        global count
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        count += 1
        status = 500 if count <= fails else 204
        with open(log_path, "a") as f:
            f.write(json.dumps({"t": time.time(), "status": status, "auth": self.headers.get("Authorization"),
                                "body": json.loads(body)}) + "\n")
        self.send_response(status)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass

server = HTTPServer(("127.0.0.1", 0), Handler)
with open(port_file + ".tmp", "w") as f:
    f.write(str(server.server_address[1]))
import os
os.rename(port_file + ".tmp", port_file)
server.serve_forever()
