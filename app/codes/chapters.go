package codes

import "strings"

// chapter is a chapter of ICD-10 (the WHO's and its clinical
// modifications share them), by the range of its codes' first three
// characters.
type chapter struct{ from, to, id, title string }

// chapters are ICD-10-CM's 22 chapters (FY2025), in order.
var chapters = []chapter{
	{"A00", "B99", "1", "Certain infectious and parasitic diseases"},
	{"C00", "D49", "2", "Neoplasms"},
	{"D50", "D89", "3", "Diseases of the blood and blood-forming organs and certain disorders involving the immune mechanism"},
	{"E00", "E89", "4", "Endocrine, nutritional and metabolic diseases"},
	{"F01", "F99", "5", "Mental, behavioral and neurodevelopmental disorders"},
	{"G00", "G99", "6", "Diseases of the nervous system"},
	{"H00", "H59", "7", "Diseases of the eye and adnexa"},
	{"H60", "H95", "8", "Diseases of the ear and mastoid process"},
	{"I00", "I99", "9", "Diseases of the circulatory system"},
	{"J00", "J99", "10", "Diseases of the respiratory system"},
	{"K00", "K95", "11", "Diseases of the digestive system"},
	{"L00", "L99", "12", "Diseases of the skin and subcutaneous tissue"},
	{"M00", "M99", "13", "Diseases of the musculoskeletal system and connective tissue"},
	{"N00", "N99", "14", "Diseases of the genitourinary system"},
	{"O00", "O9A", "15", "Pregnancy, childbirth and the puerperium"},
	{"P00", "P96", "16", "Certain conditions originating in the perinatal period"},
	{"Q00", "Q99", "17", "Congenital malformations, deformations and chromosomal abnormalities"},
	{"R00", "R99", "18", "Symptoms, signs and abnormal clinical and laboratory findings, not elsewhere classified"},
	{"S00", "T88", "19", "Injury, poisoning and certain other consequences of external causes"},
	{"U00", "U85", "22", "Codes for special purposes"},
	{"V00", "Y99", "20", "External causes of morbidity"},
	{"Z00", "Z99", "21", "Factors influencing health status and contact with health services"},
}

// Chapter is the ICD-10 chapter of an ICD-10 code (any edition): its
// number and title, or "", "" for a code outside ICD-10's shape.
func Chapter(code string) (id, title string) {
	c := strings.ToUpper(strings.TrimSpace(code))
	if len(c) < 3 {
		return "", ""
	}
	c = c[:3]
	for _, ch := range chapters {
		if c >= ch.from && c <= ch.to {
			return ch.id, ch.title
		}
	}
	return "", ""
}
