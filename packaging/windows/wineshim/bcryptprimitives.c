/*
 * bcryptprimitives.dll for Wine, used only by `make release-test`.
 *
 * Go 1.24 and later draw their random numbers from ProcessPrng in
 * bcryptprimitives.dll, which Debian's Wine 8 does not provide, so a Go
 * program for Windows does not start there. This DLL exports ProcessPrng and
 * fills the buffer through advapi32's RtlGenRandom (SystemFunction036).
 * It is copied into the test's Wine prefix, never shipped.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T length)
{
	while (length > 0) {
		ULONG n = length > 0x10000000 ? 0x10000000 : (ULONG)length;
		if (!SystemFunction036(data, n))
			return FALSE;
		data += n;
		length -= n;
	}
	return TRUE;
}

BOOL WINAPI DllMain(HINSTANCE instance, DWORD reason, LPVOID reserved)
{
	(void)instance; (void)reason; (void)reserved;
	return TRUE;
}
