; The HMS installer for Windows (NSIS 3). packaging/windows/mkwin.sh runs
;   makensis -DVERSION=1.2.3 -DVIVERSION=1.2.3.0 -DEXE=hms.exe -DICON=hms.ico -DOUT=HMS-Setup-1.2.3.exe hms.nsi
;
; It installs for all users into Program Files\HMS: hms.exe, an uninstaller
; listed in Apps & features, a Start menu entry and (optional) a desktop
; shortcut. Silent install for IT staff:
;   HMS-Setup-1.2.3.exe /S [/DBDIR=D:\Clinic\HMS] [/NODESKTOP] [/D=C:\Program Files\HMS]
; /DBDIR sets the machine-wide HMS_DB environment variable to DBDIR\hms.db,
; the database every user of this computer then opens (README.md,
; Configuration). /D (last, unquoted) chooses the install folder.
; The uninstaller (/S for silent) keeps the databases and audit keys.

; A 64-bit installer for the 64-bit program (x64 Windows 10 and later).
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel admin
ManifestDPIAware true

!include MUI2.nsh
!include LogicLib.nsh
!include FileFunc.nsh
!include x64.nsh
!include WinMessages.nsh

!define PRODUCT "HMS"
!define PUBLISHER "HMS desktop"
!define UNINSTKEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\HMS"
!define ENVKEY "SYSTEM\CurrentControlSet\Control\Session Manager\Environment"

Name "${PRODUCT} ${VERSION}"
OutFile "${OUT}"
InstallDir "$PROGRAMFILES64\HMS"
InstallDirRegKey HKLM "${UNINSTKEY}" "InstallLocation"
BrandingText "${PRODUCT} ${VERSION}"

VIProductVersion "${VIVERSION}"
VIFileVersion "${VIVERSION}"
VIAddVersionKey /LANG=1033 "ProductName" "${PRODUCT}"
VIAddVersionKey /LANG=1033 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1033 "FileDescription" "${PRODUCT} ${VERSION} installer"
VIAddVersionKey /LANG=1033 "CompanyName" "${PUBLISHER}"
VIAddVersionKey /LANG=1033 "LegalCopyright" "The HMS desktop authors"

Var DBDir

!define MUI_ICON "${ICON}"
!define MUI_UNICON "${ICON}"
!define MUI_ABORTWARNING
!define MUI_FINISHPAGE_RUN "$INSTDIR\hms.exe"
!define MUI_FINISHPAGE_RUN_TEXT "Open HMS"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_COMPONENTS
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
!insertmacro MUI_LANGUAGE "English"


Section "HMS (required)" SecMain
	SectionIn RO
	SetOutPath "$INSTDIR"
	File "/oname=hms.exe" "${EXE}"
	WriteUninstaller "$INSTDIR\uninstall.exe"
	CreateShortCut "$SMPROGRAMS\HMS.lnk" "$INSTDIR\hms.exe" "" "$INSTDIR\hms.exe" 0

	WriteRegStr HKLM "${UNINSTKEY}" "DisplayName" "${PRODUCT}"
	WriteRegStr HKLM "${UNINSTKEY}" "DisplayVersion" "${VERSION}"
	WriteRegStr HKLM "${UNINSTKEY}" "Publisher" "${PUBLISHER}"
	WriteRegStr HKLM "${UNINSTKEY}" "DisplayIcon" "$INSTDIR\hms.exe,0"
	WriteRegStr HKLM "${UNINSTKEY}" "InstallLocation" "$INSTDIR"
	WriteRegStr HKLM "${UNINSTKEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
	WriteRegStr HKLM "${UNINSTKEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
	WriteRegDWORD HKLM "${UNINSTKEY}" "NoModify" 1
	WriteRegDWORD HKLM "${UNINSTKEY}" "NoRepair" 1
	${GetSize} "$INSTDIR" "/S=0K" $0 $1 $2
	WriteRegDWORD HKLM "${UNINSTKEY}" "EstimatedSize" $0

	; The database folder IT chose: every user's HMS opens DBDIR\hms.db.
	${If} $DBDir != ""
		CreateDirectory "$DBDir"
		WriteRegExpandStr HKLM "${ENVKEY}" "HMS_DB" "$DBDir\hms.db"
		WriteRegStr HKLM "${UNINSTKEY}" "PresetDatabase" "$DBDir\hms.db"
		SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=2000
	${EndIf}
SectionEnd

Section "Desktop shortcut" SecDesktop
	CreateShortCut "$DESKTOP\HMS.lnk" "$INSTDIR\hms.exe" "" "$INSTDIR\hms.exe" 0
SectionEnd

Function .onInit
	SetShellVarContext all
	${If} ${RunningX64}
		SetRegView 64
	${EndIf}
	StrCpy $DBDir ""
	${GetParameters} $R0
	ClearErrors
	${GetOptions} $R0 "/DBDIR=" $R1
	${IfNot} ${Errors}
		StrCpy $DBDir $R1
	${EndIf}
	ClearErrors
	${GetOptions} $R0 "/NODESKTOP" $R1
	${IfNot} ${Errors}
		!insertmacro UnselectSection ${SecDesktop}
	${EndIf}
FunctionEnd

!insertmacro MUI_FUNCTION_DESCRIPTION_BEGIN
	!insertmacro MUI_DESCRIPTION_TEXT ${SecMain} "HMS, its Start menu entry and its uninstaller."
	!insertmacro MUI_DESCRIPTION_TEXT ${SecDesktop} "An HMS shortcut on every user's desktop."
!insertmacro MUI_FUNCTION_DESCRIPTION_END

Function un.onInit
	SetShellVarContext all
	${If} ${RunningX64}
		SetRegView 64
	${EndIf}
FunctionEnd

; The databases and their audit keys stay: they are the clinic's records.
Section "Uninstall"
	Delete "$INSTDIR\hms.exe"
	Delete "$INSTDIR\uninstall.exe"
	RMDir "$INSTDIR"
	Delete "$SMPROGRAMS\HMS.lnk"
	Delete "$DESKTOP\HMS.lnk"
	ReadRegStr $0 HKLM "${UNINSTKEY}" "PresetDatabase"
	${If} $0 != ""
		DeleteRegValue HKLM "${ENVKEY}" "HMS_DB"
		SendMessage ${HWND_BROADCAST} ${WM_SETTINGCHANGE} 0 "STR:Environment" /TIMEOUT=2000
	${EndIf}
	DeleteRegKey HKLM "${UNINSTKEY}"
SectionEnd
