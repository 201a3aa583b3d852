# Test-only: runs a command on a real pseudo-terminal of a given width (the
# terminal cases of apply's progress), optionally typing Ctrl-C once a marker
# appears in its output. Prints what the terminal showed; exits with the
# command's exit code. Not named pty.py: that would shadow the pty module.
# usage: run-on-terminal.py COLUMNS MARKER -- COMMAND...
import fcntl, os, pty, select, struct, sys, termios, time

columns, marker = int(sys.argv[1]), sys.argv[2].encode()
command = sys.argv[sys.argv.index('--') + 1:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 24, columns, 0, 0))
    os.execvp(command[0], command)
out, sent, deadline = b'', False, time.time() + 90
while time.time() < deadline and len(out) < 5_000_000:
    ready, _, _ = select.select([fd], [], [], 0.2)
    if not ready:
        continue
    try:
        data = os.read(fd, 65536)
    except OSError:
        break
    if not data:
        break
    out += data
    if marker and not sent and marker in out:
        time.sleep(0.5)
        os.write(fd, b'\x03')
        sent = True
if time.time() >= deadline or len(out) >= 5_000_000:
    os.kill(pid, 9)
_, status = os.waitpid(pid, 0)
sys.stdout.buffer.write(out)
sys.exit(os.waitstatus_to_exitcode(status) % 256)
