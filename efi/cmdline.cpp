#include "efi/cmdline.h"

#include "efi/efi.h"

namespace {

// Append UTF-16 @s to @buf as ASCII; false when a character is not printable ASCII
// or the buffer is full.
bool append_ascii(char *buf, size_t size, size_t *len, const CHAR16 *s, size_t max_chars,
		  const char **why)
{
	for (size_t i = 0; i < max_chars && s[i]; i++) {
		CHAR16 c = s[i];
		if (c == u'\t' || c == u'\r' || c == u'\n')
			c = u' ';
		if (c < 0x20 || c > 0x7e) {
			*why = "the options contain a character that is not printable ASCII";
			return false;
		}
		if (*len + 1 >= size) {
			*why = "the options are longer than COMMAND_LINE_SIZE";
			return false;
		}
		buf[(*len)++] = (char)c;
	}
	buf[*len] = '\0';
	return true;
}

} // namespace

bool efi_get_cmdline(char *buf, size_t size, const char **why)
{
	size_t len = 0;
	buf[0] = '\0';
	*why = nullptr;

	EFI_GUID shell_params_guid = EFI_SHELL_PARAMETERS_PROTOCOL_GUID;
	EFI_SHELL_PARAMETERS_PROTOCOL *params = nullptr;
	if (efi_bs->HandleProtocol(efi_image_handle, &shell_params_guid, (void **)&params) == EFI_SUCCESS &&
	    params) {
		// Argv[0] is the program name; the Shell has already split and unquoted.
		for (UINTN i = 1; i < params->Argc; i++) {
			if (len && !append_ascii(buf, size, &len, (const CHAR16 *)u" ", 1, why))
				return false;
			if (!append_ascii(buf, size, &len, params->Argv[i], ~(size_t)0, why))
				return false;
		}
		return true;
	}

	EFI_GUID loaded_image_guid = EFI_LOADED_IMAGE_PROTOCOL_GUID;
	EFI_LOADED_IMAGE *image = nullptr;
	if (efi_bs->HandleProtocol(efi_image_handle, &loaded_image_guid, (void **)&image) != EFI_SUCCESS ||
	    !image || !image->LoadOptions || image->LoadOptionsSize < 2)
		return true;
	// A boot entry's optional data need not be text (firmware boot managers store
	// binary there); only UTF-16 text is taken as options.
	if (image->LoadOptionsSize % 2) {
		*why = "LoadOptions is not UTF-16 text";
		return false;
	}
	return append_ascii(buf, size, &len, (const CHAR16 *)image->LoadOptions,
			    image->LoadOptionsSize / 2, why);
}
