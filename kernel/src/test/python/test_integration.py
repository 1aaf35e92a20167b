"""Integration tests of the Easel kernel through jupyter_client (run by KernelIntegrationIT through JUnit).

EASEL_KERNEL_NAME names the kernelspec; EASEL_ONLY=interrupt limits the run to the interrupt and survival tests
(handy when trying another JDK by hand).
"""
import os
import queue
import time
import unittest

from jupyter_client.manager import start_new_kernel
from jupyter_client.session import Session

KERNEL = os.environ.get("EASEL_KERNEL_NAME", "easel")
ONLY = os.environ.get("EASEL_ONLY", "")
TIMEOUT = 60


def full_only(test):
    return unittest.skipIf(ONLY == "interrupt", "full suite only")(test)


class Cell:
    """The reply and iopub outputs of one request."""

    def __init__(self, reply, outputs):
        self.reply = reply
        self.outputs = outputs

    @property
    def status(self):
        return self.reply["content"]["status"]

    def of_type(self, msg_type):
        return [m for m in self.outputs if m["msg_type"] == msg_type]

    def stdout(self):
        return "".join(m["content"]["text"] for m in self.of_type("stream") if m["content"]["name"] == "stdout")

    def result(self):
        results = self.of_type("execute_result")
        return results[0]["content"]["data"]["text/plain"] if results else None


class KernelTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.km, cls.kc = start_new_kernel(kernel_name=KERNEL, startup_timeout=TIMEOUT)

    @classmethod
    def tearDownClass(cls):
        cls.kc.stop_channels()
        cls.km.shutdown_kernel(now=True)

    def collect(self, msg_id, timeout=TIMEOUT):
        """Waits for the reply to msg_id and for the kernel to go idle, returning both."""
        reply = self.kc.get_shell_msg(timeout=timeout)
        while reply["parent_header"].get("msg_id") != msg_id:
            reply = self.kc.get_shell_msg(timeout=timeout)
        outputs = []
        deadline = time.time() + timeout
        while time.time() < deadline:
            msg = self.kc.get_iopub_msg(timeout=timeout)
            if msg["parent_header"].get("msg_id") != msg_id:
                continue
            if msg["msg_type"] == "status" and msg["content"]["execution_state"] == "idle":
                return Cell(reply, outputs)
            if msg["msg_type"] != "status":
                outputs.append(msg)
        self.fail("the kernel never went idle")

    def run_cell(self, code, **kwargs):
        return self.collect(self.kc.execute(code, **kwargs))


class InterruptAndSurvival(KernelTestCase):
    def interrupt_after(self, code, delay=1.0):
        msg_id = self.kc.execute(code)
        time.sleep(delay)
        started = time.time()
        self.km.interrupt_kernel()
        cell = self.collect(msg_id, timeout=30)
        return cell, time.time() - started

    def test_interrupt_busy_loop_keeps_state(self):
        self.assertEqual(self.run_cell("int kept = 7;").status, "ok")
        cell, took = self.interrupt_after("long spins = 0; while (true) { spins++; }")
        self.assertEqual(cell.status, "error")
        self.assertEqual(cell.reply["content"]["ename"], "Interrupted")
        self.assertLess(took, 5, "interrupt took %.2f s" % took)
        self.assertEqual(self.run_cell("kept").result(), "7")

    def test_interrupt_sleep(self):
        cell, took = self.interrupt_after("Thread.sleep(600_000);")
        self.assertEqual(cell.reply["content"]["ename"], "Interrupted")
        self.assertLess(took, 5)
        self.assertEqual(self.run_cell("1 + 1").result(), "2")

    def test_interrupt_busy_loop_in_a_method(self):
        self.run_cell("void spin() { while (true) { Math.sqrt(Math.random()); } }")
        cell, took = self.interrupt_after("spin();")
        self.assertEqual(cell.reply["content"]["ename"], "Interrupted")
        self.assertEqual(self.run_cell("2 + 2").result(), "4")

    def test_interrupt_blocking_stdin_read(self):
        msg_id = self.kc.execute("new Scanner(System.in).nextLine()", allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(request["msg_type"], "input_request")
        self.km.interrupt_kernel()
        cell = self.collect(msg_id, timeout=30)
        self.assertEqual(cell.reply["content"]["ename"], "Interrupted")
        self.assertEqual(self.run_cell("3 + 3").result(), "6")

    def test_system_exit_is_survived(self):
        cell = self.run_cell('System.out.println("bye"); System.exit(1);')
        self.assertEqual(cell.status, "error")
        self.assertEqual(cell.reply["content"]["ename"], "SystemExit")
        self.assertIn("bye", cell.stdout())
        self.assertEqual(self.run_cell("40 + 2").result(), "42")
        self.assertTrue(self.km.is_alive())

    def test_stack_overflow_is_survived(self):
        cell = self.run_cell("int deeper(int n) { return deeper(n + 1) + 1; }\ndeeper(0)")
        self.assertEqual(cell.reply["content"]["ename"], "StackOverflowError")
        self.assertEqual(self.run_cell("1 + 2").result(), "3")


@full_only
class Protocol(KernelTestCase):
    def test_ten_thousand_lines_in_order(self):
        started = time.time()
        cell = self.run_cell("for (int i = 0; i < 10_000; i++) System.out.println(i);")
        took = time.time() - started
        lines = cell.stdout().splitlines()
        self.assertEqual(lines, [str(i) for i in range(10_000)])
        streams = len(cell.of_type("stream"))
        print("10,000 lines: %.3f s in %d stream messages" % (took, streams))
        self.assertLess(streams, 100, "output was not batched")

    def test_background_thread_output_reaches_the_last_cell(self):
        msg_id = self.kc.execute(
            'new Thread(() -> { try { Thread.sleep(300); } catch (InterruptedException e) { } '
            'System.out.println("from the background"); }).start();')
        self.collect(msg_id)
        deadline = time.time() + 10
        while time.time() < deadline:
            msg = self.kc.get_iopub_msg(timeout=10)
            if msg["msg_type"] == "stream" and "from the background" in msg["content"]["text"]:
                self.assertEqual(msg["parent_header"]["msg_id"], msg_id)
                return
        self.fail("background output never arrived")

    def test_stdin_read(self):
        msg_id = self.kc.execute('String who = new Scanner(System.in).nextLine(); System.out.println("hi " + who);',
                                 allow_stdin=True)
        request = self.kc.get_stdin_msg(timeout=TIMEOUT)
        self.assertEqual(request["msg_type"], "input_request")
        self.kc.input("Easel")
        cell = self.collect(msg_id)
        self.assertEqual(cell.status, "ok")
        self.assertIn("hi Easel", cell.stdout())

    def forge(self, key):
        forger = Session(key=key, username="forger")
        forger.send(self.kc.shell_channel.socket, "execute_request",
                    {"code": "int forged = 1;", "silent": False, "store_history": True, "user_expressions": {},
                     "allow_stdin": False, "stop_on_error": True})

    def test_forged_or_unsigned_messages_are_dropped(self):
        self.forge(b"not-the-key")
        self.forge(b"")
        cell = self.run_cell("forged")
        self.assertEqual(cell.status, "error", "a forged request was executed")
        self.assertEqual(cell.reply["content"]["ename"], "CompilationError")

    def test_replayed_messages_do_not_run_again(self):
        # The probe resent captured signed requests: 5 of 5 ran again, also on a new connection and on control.
        self.run_cell("int replays = 0;")
        msg = self.kc.session.msg("execute_request", {"code": "replays += 1;", "silent": False,
                                                      "store_history": True, "user_expressions": {},
                                                      "allow_stdin": False, "stop_on_error": True})
        frames = self.kc.session.serialize(msg)
        self.kc.shell_channel.socket.send_multipart(frames)
        self.collect(msg["header"]["msg_id"])
        for _ in range(4):
            self.kc.shell_channel.socket.send_multipart(frames)
        self.kc.control_channel.socket.send_multipart(frames)
        time.sleep(1)
        self.assertEqual(self.run_cell("replays").result(), "1")

    def test_unknown_request_gets_an_error_reply(self):
        msg = self.kc.session.msg("easel_nonsense_request", {})
        self.kc.shell_channel.send(msg)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["msg_type"], "easel_nonsense_reply")
        self.assertEqual(reply["content"]["status"], "error")
        self.assertEqual(self.run_cell("5 + 5").result(), "10")

    def test_stop_on_error_aborts_queued_cells(self):
        first = self.kc.execute('throw new RuntimeException("first");')
        second = self.kc.execute('System.out.println("must not run");')
        third = self.kc.execute("1 + 1")
        replies = {}
        while len(replies) < 3:
            reply = self.kc.get_shell_msg(timeout=TIMEOUT)
            replies[reply["parent_header"]["msg_id"]] = reply["content"]["status"]
        self.assertEqual([replies[first], replies[second], replies[third]], ["error", "aborted", "aborted"])
        self.assertEqual(self.run_cell("6 + 6").result(), "12")

    def test_silent_and_user_expressions(self):
        cell = self.run_cell("int hidden = 5; hidden", silent=True)
        self.assertEqual(cell.of_type("execute_input"), [])
        self.assertEqual(cell.of_type("execute_result"), [])
        cell = self.run_cell("int shown = 6;", user_expressions={"twice": "shown * 2", "bad": "nope"})
        expressions = cell.reply["content"]["user_expressions"]
        self.assertEqual(expressions["twice"]["data"]["text/plain"], "12")
        self.assertEqual(expressions["bad"]["status"], "error")

    def test_display_update_and_clear(self):
        cell = self.run_cell('var handle = display("first"); handle.update("second"); clearOutput(true);')
        shown = cell.of_type("display_data")[0]
        updated = cell.of_type("update_display_data")[0]
        self.assertEqual(shown["content"]["data"]["text/plain"], "first")
        self.assertEqual(updated["content"]["data"]["text/plain"], "second")
        self.assertEqual(shown["content"]["transient"]["display_id"], updated["content"]["transient"]["display_id"])
        self.assertTrue(cell.of_type("clear_output")[0]["content"]["wait"])

    def test_last_value_rendering(self):
        self.assertEqual(self.run_cell('"no quotes"').result(), "no quotes")
        cell = self.run_cell("new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB)")
        self.assertIn("image/png", cell.of_type("execute_result")[0]["content"]["data"])
        cell = self.run_cell('tech.tablesaw.api.Table.create("t", tech.tablesaw.api.IntColumn.create("n", 1, 2))')
        self.assertIn("text/html", cell.of_type("execute_result")[0]["content"]["data"])

    def test_compile_error_marks_the_span(self):
        cell = self.run_cell('int fine = 1;\nint wrong = "text";')
        self.assertEqual(cell.reply["content"]["ename"], "CompilationError")
        traceback = "\n".join(cell.reply["content"]["traceback"])
        self.assertIn("line 2", traceback)
        self.assertIn("^^^^^^", traceback)

    def test_comms(self):
        cell = self.run_cell('var comm = dev.easel.kernel.comm.CommManager.global().open("easel.test", Map.of("x", 1));')
        opened = cell.of_type("comm_open")[0]["content"]
        self.assertEqual(opened["target_name"], "easel.test")
        msg_id = self.kc.comm_info(target_name="easel.test")
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertIn(opened["comm_id"], reply["content"]["comms"])
        self.run_cell('dev.easel.kernel.comm.CommManager.global().registerTarget("easel.echo", '
                      '(c, data) -> c.onMessage(d -> c.send(d)));')
        self.kc.shell_channel.send(self.kc.session.msg("comm_open", {"comm_id": "c1", "target_name": "easel.echo",
                                                                      "data": {}}))
        self.kc.shell_channel.send(self.kc.session.msg("comm_msg", {"comm_id": "c1", "data": {"ping": 1}}))
        deadline = time.time() + 20
        while time.time() < deadline:
            msg = self.kc.get_iopub_msg(timeout=20)
            if msg["msg_type"] == "comm_msg" and msg["content"]["data"] == {"ping": 1}:
                return
        self.fail("the echo comm never answered")

    def test_magic_errors_are_one_line(self):
        cell = self.run_cell("%nosuchmagic --now")
        self.assertEqual(cell.reply["content"]["ename"], "MagicError")
        self.assertEqual(len(cell.reply["content"]["traceback"]), 1)


@full_only
class Restart(KernelTestCase):
    def test_restart_keeps_history_and_forgets_state(self):
        self.assertEqual(self.run_cell("int beforeRestart = 1;").status, "ok")
        self.km.restart_kernel(now=False)
        self.kc.wait_for_ready(timeout=TIMEOUT)
        cell = self.run_cell("beforeRestart")
        self.assertEqual(cell.status, "error", "state survived a restart")
        msg_id = self.kc.history(hist_access_type="search", pattern="int beforeRestart*", n=1)
        reply = self.kc.get_shell_msg(timeout=TIMEOUT)
        self.assertEqual(reply["parent_header"]["msg_id"], msg_id)
        self.assertEqual(len(reply["content"]["history"]), 1, "history did not survive the restart")


if __name__ == "__main__":
    unittest.main(verbosity=2)
