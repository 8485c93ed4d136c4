package identity

import "syscall"

// hashNice is the niceness of hashing threads: the lowest priority, so the
// kernel runs request-serving threads first when both want the CPU.
const hashNice = 19

// lowerThreadPriority sets the calling OS thread's niceness. On Linux,
// setpriority with a thread id affects that thread only. Failure is harmless
// (hashing then competes at normal priority), so it is ignored.
func lowerThreadPriority() {
	syscall.Setpriority(syscall.PRIO_PROCESS, syscall.Gettid(), hashNice)
}
